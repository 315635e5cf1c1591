"""What a support announces, for domains that follow it (funds pays a support from a fund)
without supports knowing them. Receivers run inside the caller's transaction; an exception
they raise reaches the caller."""
from blinker import Namespace

_signals = Namespace()

# sender: the new Support, just flushed
support_recorded = _signals.signal("support-recorded")
# sender: the Support reversed or rejected; reason=, user=
support_withdrawn = _signals.signal("support-withdrawn")
