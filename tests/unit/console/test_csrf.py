"""The console's login-form CSRF tokens: bound to the pre-session nonce, signed, and short-lived."""

from __future__ import annotations

from console.csrf import LoginForms


def test_a_token_is_good_only_with_its_own_nonce_and_while_fresh() -> None:
    forms = LoginForms(key=b"k" * 32, lifetime_s=100)
    token = forms.issue("nonce-a", now=1000)
    assert forms.check("nonce-a", token, now=1050)
    assert not forms.check("nonce-b", token, now=1050)
    assert not forms.check("nonce-a", token, now=1101)
    assert not forms.check("nonce-a", token, now=999)
    assert not LoginForms(key=b"j" * 32).check("nonce-a", token, now=1050)
    for bad in (None, "", "zz-00", "3e8", token + "0"):
        assert not forms.check("nonce-a", bad, now=1050)
