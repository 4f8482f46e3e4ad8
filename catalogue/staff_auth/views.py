"""The staff sign-in and set-up wizards of django-two-factor-auth, tied to the admin's lockout.

A wrong or replayed one-time code counts as a failed sign-in for django-axes (the same counter
as a wrong password, per username and address), and a locked-out account cannot finish the
second step either.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from two_factor.views import LoginView, SetupView


class StaffLoginView(LoginView):
    CODE_STEPS = (LoginView.TOKEN_STEP, LoginView.BACKUP_STEP)

    def _credentials(self):
        return {"username": self.get_user().get_username()}

    def post(self, *args, **kwargs):
        if self.steps.current in self.CODE_STEPS and self.get_user():
            if AxesProxyHandler.is_locked(self.request, self._credentials()):
                # Start again from the password once the cool-off is over; AxesMiddleware
                # answers with the lockout page.
                self.storage.reset()
                self.request.axes_locked_out = True
                self.request.axes_credentials = self._credentials()
                return self.render_goto_step(self.FIRST_STEP)
        return super().post(*args, **kwargs)

    def render(self, form=None, **kwargs):
        refused = form is not None and form.is_bound and not form.is_valid()
        if refused and self.steps.current in self.CODE_STEPS and self.get_user():
            user_login_failed.send(
                sender=type(self), credentials=self._credentials(), request=self.request
            )
        return super().render(form, **kwargs)


class StaffSetupView(SetupView):
    def done(self, form_list, **kwargs):
        response = super().done(form_list, **kwargs)
        # The set-up form checks the code against the new key without recording it on the
        # device; record it, so the same code cannot also pass the sign-in's second step.
        device = getattr(self.request.user, "otp_device", None)
        if isinstance(device, TOTPDevice):
            counter = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            device.last_t = counter.t()
            device.save(update_fields=["last_t"])
        return response
