from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from studio.services.jobs import LABEL_CORNERS

CORNER_LABELS = {
    "bottom-right": _("bottom right"),
    "bottom-left": _("bottom left"),
    "top-right": _("top right"),
    "top-left": _("top left"),
}


class SignUpForm(UserCreationForm):
    email = forms.EmailField(label=_("E-mail"))

    class Meta:
        model = get_user_model()
        fields = ("email",)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if get_user_model().objects.filter(username=email).exists():
            raise forms.ValidationError(_("An account with this e-mail already exists."))
        return email

    def _post_clean(self):
        # UserCreationForm validates the password against `username`; ours is the e-mail.
        self.instance.username = self.cleaned_data.get("email", "")
        super()._post_clean()


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
