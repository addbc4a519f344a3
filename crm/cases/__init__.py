"""Cases: the one thread that follows a citizen through contacts, transfers, drops and callbacks."""
