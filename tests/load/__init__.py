"""The load test (`make load`, `python -m tests.load.run`): a command that prints figures, not
a pytest module (nothing here is named test_*)."""
