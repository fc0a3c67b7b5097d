from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safety.disclosure import LABEL_TEXTS
from studio.login_throttle import password_reentry_check
from studio.services.api_tokens import DEFAULT_TOKEN_LIFETIME_DAYS, TOKEN_LIFETIME_DAYS
from studio.services.jobs import LABEL_CORNERS, LABEL_LANGUAGES

CORNER_LABELS = {
    "bottom-right": _("bottom right"),
    "bottom-left": _("bottom left"),
    "top-right": _("top right"),
    "top-left": _("top left"),
}


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's form, whose old password counts against django-axes' limits as a login does."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not password_reentry_check(self.request, self.user, old_password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class SignUpForm(forms.Form):
    """Step 1: only the e-mail. Whether it has an account is never said here (see signup.py)."""

    email = forms.EmailField(label=_("E-mail"), max_length=150)


class EmailLoginForm(AuthenticationForm):
    """Django's login form for accounts named by their e-mail: accounts are stored lower-case
    (services/accounts.py), and a phone that capitalises the first letter must not make the
    right password look wrong (nor count as a guess against another spelling)."""

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class PasswordResetRequestForm(forms.Form):
    """Only the e-mail. Whether it has an account is never said (see password_reset.py)."""

    email = forms.EmailField(label=_("E-mail"), max_length=150)


class SignUpFinishForm(forms.Form):
    """Step 2, reached by the e-mailed link: choose the password."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            # Django's own wording, so its own catalogue translates it.
            raise forms.ValidationError(_("The two password fields didn’t match."))
        if first:
            candidate = get_user_model()(username=self.email, email=self.email)
            password_validation.validate_password(first, candidate)
        return cleaned


class JobForm(forms.Form):
    portrait = forms.FileField(
        label=_("Portrait photo of yourself (JPEG, PNG or WebP)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    audio = forms.FileField(
        label=_("Audio clip (WAV, MP3, M4A, OGG, FLAC or WebM)"),
        widget=forms.ClearableFileInput(attrs={"accept": "audio/*,.webm,.m4a"}),
    )
    label_corner = forms.ChoiceField(
        label=_("Where the “AI-generated” label goes"),
        choices=[(corner, CORNER_LABELS[corner]) for corner in LABEL_CORNERS],
        initial="bottom-right",
    )
    label_language = forms.ChoiceField(
        label=_("The label’s words"),
        # The label's own words, as they appear in the video, whatever the page's language.
        choices=[(language, LABEL_TEXTS[language]) for language in LABEL_LANGUAGES],
        required=False,  # a form sent without it (an older page, a script) gets the page's
    )


class ApiTokenForm(forms.Form):
    label = forms.CharField(
        label=_("Label"),
        max_length=100,
        help_text=_("Where you will use it, for example “laptop script”."),
    )
    lifetime_days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        required=False,  # a client that does not say gets the default, as the page preselects
        empty_value=DEFAULT_TOKEN_LIFETIME_DAYS,
        initial=DEFAULT_TOKEN_LIFETIME_DAYS,
        help_text=_("After that the key is refused and you make a new one."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Named here, not in the class body, so each request reads them in its own language.
        self.fields["lifetime_days"].choices = [
            (days, gettext("%(days)d days") % {"days": days}) for days in TOKEN_LIFETIME_DAYS
        ]
