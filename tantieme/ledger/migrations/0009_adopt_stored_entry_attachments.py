"""Attachments of manual entries stored before `EntryAttachment` existed become rows.

Until 0008 the back office kept an entry's voucher files in a storage folder per entry,
`ledger/<firm>/<condominium>/entries/<entry id>/<name>`, with no model: the folder was the link.
This walks those folders (the storage's own listing) and records each file as an attachment of
its entry, where it already is. It writes only new rows: no ledger row is updated. Files in a
folder that names no entry of that firm and condominium are left alone.
"""

import hashlib

from django.core.files.storage import default_storage
from django.db import migrations

TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}


def _folders(path):
    try:
        folders, _files = default_storage.listdir(path)
    except (FileNotFoundError, NotImplementedError, OSError):
        return []
    return folders


def adopt(apps, schema_editor):
    entries = apps.get_model("ledger", "Entry")._base_manager
    attachments = apps.get_model("ledger", "EntryAttachment")._base_manager
    for firm in _folders("ledger"):
        for condominium in _folders(f"ledger/{firm}"):
            for entry_id in _folders(f"ledger/{firm}/{condominium}/entries"):
                if not (firm.isdigit() and condominium.isdigit() and entry_id.isdigit()):
                    continue
                entry = entries.filter(pk=int(entry_id), firm_id=int(firm), condominium_id=int(condominium)).first()
                if entry is None:
                    continue
                folder = f"ledger/{firm}/{condominium}/entries/{entry_id}"
                _folders_here, files = default_storage.listdir(folder)
                known = set(attachments.filter(entry_id=entry.pk).values_list("file", flat=True))
                for name in sorted(files):
                    path = f"{folder}/{name}"
                    if path in known:
                        continue
                    with default_storage.open(path, "rb") as handle:
                        content = handle.read()
                    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
                    attachments.create(
                        firm_id=entry.firm_id,
                        entry_id=entry.pk,
                        file=path,
                        original_filename=name[:150],
                        content_type=TYPES.get(extension, "application/octet-stream"),
                        size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(),
                        uploaded_by=None,
                        uploaded_at=entry.posted_at,
                    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_lettering_accounts_entry_attachments")]

    operations = [migrations.RunPython(adopt, migrations.RunPython.noop)]
