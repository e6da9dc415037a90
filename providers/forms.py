from django import forms

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class GiasUploadForm(forms.Form):
    extract = forms.FileField(
        label="Upload a GIAS extract",
        help_text="The “all establishment data” CSV file downloaded from Get Information about Schools.",
        error_messages={
            "required": "Select a GIAS extract file",
            "empty": "The selected file is empty",
            "invalid": "Select a GIAS extract file",
        },
    )

    def clean_extract(self) -> object:
        upload = self.cleaned_data["extract"]
        name = (upload.name or "").lower()
        if not name.endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV")
        if upload.size == 0:
            raise forms.ValidationError("The selected file is empty")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 200MB")
        return upload
