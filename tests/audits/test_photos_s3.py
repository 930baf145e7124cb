"""Photos on S3 through django-storages, against moto's S3 server on loopback (a real HTTP endpoint,
not a mocked client). moto runs in this process, so the test needs no outside service."""

from __future__ import annotations

import io
import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from audits.fieldwork import photos as service
from audits.models import Photo
from audits.tasks import make_photo_renditions
from tests.audits.test_photos import camera_jpeg, form, upload
from tests.fieldwork_makers import make_audit, make_plan

pytestmark = pytest.mark.django_db

BUCKET = "touchpoint-photos-test"


@pytest.fixture
def s3(settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    settings.AWS_STORAGE_BUCKET_NAME = BUCKET
    settings.AWS_S3_ENDPOINT_URL = endpoint
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_ACCESS_KEY_ID = "testing"
    settings.AWS_SECRET_ACCESS_KEY = "testing"
    settings.AWS_DEFAULT_ACL = None
    settings.AWS_QUERYSTRING_AUTH = True
    settings.AWS_S3_FILE_OVERWRITE = False
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    client.create_bucket(Bucket=BUCKET)
    client.moto_server = server
    yield client
    if server._server_ready_event.is_set():
        server.stop()


def keys(client) -> list[str]:
    return sorted(obj["Key"] for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_a_photo_goes_to_s3_privately_and_its_renditions_are_served(s3, org, auditor, manager, api, monkeypatch):
    monkeypatch.setattr(make_photo_renditions, "delay_on_commit", lambda photo_id: None)
    plan = make_plan(org, auditor)
    audit = make_audit(plan, auditor, state="draft")
    photo_id, data = uuid.uuid4(), camera_jpeg(2400, 1800, orientation=1)
    assert upload(api(auditor), photo_id, form(audit, data)).status_code == 201
    assert upload(api(auditor), photo_id, form(audit, data)).status_code == 200  # the retry: no second object
    original = f"private/originals/{org.pk}/{audit.pk}/{photo_id}"
    assert keys(s3) == [original]
    assert s3.get_object(Bucket=BUCKET, Key=original)["Body"].read() == data
    assert "AllUsers" not in str(s3.get_object_acl(Bucket=BUCKET, Key=original)["Grants"])

    assert make_photo_renditions.run(str(photo_id)) == "ready"
    photo = Photo.objects.get(pk=photo_id)
    assert keys(s3) == sorted([original, photo.large.name, photo.small.name])
    large = api(manager).get(f"/api/v1/photos/{photo_id}/large")
    assert large.status_code == 200
    assert Image.open(io.BytesIO(b"".join(large.streaming_content))).size == (1600, 1200)


def test_a_missing_original_fails_with_the_reason(s3, org, auditor, api, monkeypatch):
    monkeypatch.setattr(make_photo_renditions, "delay_on_commit", lambda photo_id: None)
    audit = make_audit(make_plan(org, auditor), auditor, state="draft")
    photo_id = uuid.uuid4()
    assert upload(api(auditor), photo_id, form(audit, camera_jpeg(800, 600))).status_code == 201
    s3.delete_object(Bucket=BUCKET, Key=f"private/originals/{org.pk}/{audit.pk}/{photo_id}")
    assert make_photo_renditions.run(str(photo_id)) == "failed"
    assert Photo.objects.get(pk=photo_id).error == "The original is missing from the storage."


def test_an_unreachable_store_is_storage_trouble_to_retry(s3, org, auditor, api, monkeypatch):
    monkeypatch.setattr(make_photo_renditions, "delay_on_commit", lambda photo_id: None)
    audit = make_audit(make_plan(org, auditor), auditor, state="draft")
    photo_id = uuid.uuid4()
    assert upload(api(auditor), photo_id, form(audit, camera_jpeg(800, 600))).status_code == 201
    s3.moto_server.stop()
    with pytest.raises(service.StorageTrouble):
        service.photo_make_renditions(photo_id=photo_id)
    assert Photo.objects.get(pk=photo_id).state == "processing"  # left for the retry, not failed
