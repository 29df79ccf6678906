"""Issue 15: uploaded media on S3-compatible storage, so no app server keeps a file of its own.

The storage is a real S3 API: moto's server mode, an S3 emulator from PyPI, started by the
test on loopback (never the internet). A document uploaded through the Wagtail admin lands in
the bucket, and its public link serves it from there.
"""

import json
import os
import subprocess
import sys

import boto3
import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from moto.server import ThreadedMotoServer
from wagtail.documents import get_document_model

from tests.support.servers import free_port
from tests.support.site_process import PRODUCTION, ROOT

pytestmark = pytest.mark.django_db

BUCKET = "nwd-media-test"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture
def s3(monkeypatch):
    """An S3 emulator on loopback with an empty bucket; the storage settings pointing at it."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_lower())
    client.create_bucket(Bucket=BUCKET)
    storages = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "location": "media",
                "file_overwrite": False,
                "default_acl": None,
                "querystring_auth": True,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    try:
        with override_settings(STORAGES=storages):
            yield client
    finally:
        server.stop()


def _lower() -> dict:
    return {name.lower(): value for name, value in CREDENTIALS.items()}


def test_the_settings_choose_s3_when_a_bucket_is_named():
    env = {
        **os.environ,
        **PRODUCTION,
        "REFERRAL_ENCRYPTION_KEYS": "dGVzdC1vbmx5LXJlZmVycmFsLWtleS0wMTIzNDU2Nzg=",
        "AWS_STORAGE_BUCKET_NAME": "city-media",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.org",
        "AWS_S3_REGION_NAME": "eu-west-2",
        "AWS_QUERYSTRING_AUTH": "false",
    }
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    storage = json.loads(out.stdout)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "city-media"
    assert storage["OPTIONS"]["endpoint_url"] == "https://s3.example.org"
    assert storage["OPTIONS"]["region_name"] == "eu-west-2"
    assert storage["OPTIONS"]["querystring_auth"] is False
    assert storage["OPTIONS"]["file_overwrite"] is False


def test_without_a_bucket_media_stay_on_the_file_system(settings):
    assert settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


def test_a_document_uploaded_in_the_admin_lands_in_the_bucket_and_is_served(client, s3):
    admin = get_user_model().objects.create_superuser("sam", "sam@example.org", "pw-not-used")
    client.force_login(admin)
    body = b"Timetable for January: art group on Tuesdays.\n"
    response = client.post(
        "/admin/documents/add/",
        {
            "title": "January timetable",
            "file": SimpleUploadedFile("january.txt", body, content_type="text/plain"),
            "collection": 1,
        },
    )
    assert response.status_code == 302, response.content[:500]
    document = get_document_model().objects.get(title="January timetable")
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"media/{document.file.name}"]
    assert s3.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read() == body
    with default_storage.open(document.file.name) as stored:
        assert stored.read() == body

    # The public link: Wagtail sends the visitor to a signed address at the storage.
    served = client.get(document.url)
    assert served.status_code == 302
    assert served["Location"].startswith(s3.meta.endpoint_url)
    assert httpx.get(served["Location"], timeout=30).content == body
