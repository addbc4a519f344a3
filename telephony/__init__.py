"""Telephony: Kamailio edge, pjsua2 media workers, IVR and ACD (built by the telephony issue)."""
