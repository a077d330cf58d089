"""Archive fixtures: a moto S3 server over real HTTP on 127.0.0.1, and a blob store on either backend.

moto is imported and the server started only when a test asks for ``moto_endpoint`` (directly or
through the ``"s3"`` case of ``blob_store``), so other tests in this folder pay nothing for it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.archive.blobs import BlobStore, LocalBlobStore, S3BlobStore

MOTO_REGION = "us-east-1"
_DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
                      "aws_session_token": "testing"}


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """URL of a moto server in a thread of this process, stopped at the end of the session."""
    from moto.server import ThreadedMotoServer

    # Never let botocore look for credentials on the instance-metadata address (not loopback).
    previous = os.environ.get("AWS_EC2_METADATA_DISABLED")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        if previous is None:
            os.environ.pop("AWS_EC2_METADATA_DISABLED", None)
        else:
            os.environ["AWS_EC2_METADATA_DISABLED"] = previous


@pytest.fixture
def s3_client_factory(moto_endpoint: str) -> Callable[[], Any]:
    """Make boto3 S3 clients bound to the moto server with dummy credentials."""
    import boto3
    from botocore.config import Config

    def make() -> Any:
        return boto3.client("s3", endpoint_url=moto_endpoint, region_name=MOTO_REGION,
                            config=Config(s3={"addressing_style": "path"}), **_DUMMY_CREDENTIALS)

    return make


@pytest.fixture
def s3_bucket(s3_client_factory: Callable[[], Any]) -> str:
    """A fresh, empty bucket on the moto server."""
    name = f"lyxy-test-{uuid.uuid4().hex[:16]}"
    s3_client_factory().create_bucket(Bucket=name)
    return name


@pytest.fixture(params=["local", "s3"])
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    """The same contract on both backends: a temp folder, or a fresh moto bucket over HTTP."""
    if request.param == "local":
        return LocalBlobStore(tmp_path / "archive")
    factory = request.getfixturevalue("s3_client_factory")
    bucket = request.getfixturevalue("s3_bucket")
    return S3BlobStore(bucket, client=factory())
