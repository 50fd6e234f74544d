"""Two-factor sign-in for staff (therapists and clinic admins, and the site's superusers
before /admin/): a TOTP app on the phone, ten one-time recovery codes, and a clinic setting
that makes it required. Built on django-otp (its TOTP and static devices, `OTPMiddleware`
marking a session verified); its device pages in /admin/ are unregistered (web/admin.py).

- `actions`: enrol, confirm, remove, new recovery codes, check a code at sign-in, the
  clinic setting (which revokes the API tokens of staff without an app), a clinic admin's
  removal of a member's two-factor sign-in; each audited.
- `gate`: the middleware that asks for the code (or sends to enrolment) before any page.
- `views` and `urls`: the pages under /accounts/two-factor/.

It lives in `web`, not `accounts`: accounts imports no app above it, and these actions
write to the audit log."""
