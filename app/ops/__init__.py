"""Operations: what a load balancer and the province's IT officer need (health, ...)."""
