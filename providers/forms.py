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


MAX_STANDARD_BYTES = 2 * 1024 * 1024


class LocalStandardUploadForm(forms.Form):
    standard_file = forms.FileField(
        label="Upload a local standard file",
        help_text=(
            "A YAML or JSON file in the standard version format, with extends: naming the"
            " national version it adds to and area: this area's code."
        ),
        error_messages={
            "required": "Select a local standard file",
            "empty": "The selected file is empty",
            "invalid": "Select a local standard file",
        },
    )

    def clean_standard_file(self) -> str:
        upload = self.cleaned_data["standard_file"]
        name = (upload.name or "").lower()
        if not name.endswith((".yaml", ".yml", ".json")):
            raise forms.ValidationError("The selected file must be a YAML or JSON file")
        if upload.size > MAX_STANDARD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 2MB")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("The selected file must be UTF-8 text") from exc
        if not text.strip():
            raise forms.ValidationError("The selected file is empty")
        return text
