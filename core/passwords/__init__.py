"""What a new password must not be: the password policy (OWASP ASVS 2.1)."""
