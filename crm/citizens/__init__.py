"""Citizens: callers and complainants, their phone numbers, identity and consents."""
