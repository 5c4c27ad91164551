"""Tests of the billing app: decorators named like HTTP verbs that are not routes."""
from unittest import mock

import mlflow
import pytest
from flask import Flask

from .billing import app as billing_app


@pytest.fixture
def app():
    test_app = Flask("billing-tests")

    @test_app.route("/_boom")
    def boom():  # handler
        raise RuntimeError("boom")

    return test_app


@mock.patch("billing.gateway.charge")
def test_charge(charge, client):
    client.post("/charge")
    charge.assert_called_once()


@mock.patch.object(billing_app, "config", {})
def test_config(client):
    assert client.get("/health").status_code == 200


@mlflow.trace(name="pricing")
def score_invoice(invoice):
    return invoice.total * 0.1


@pytest.mark.parametrize("path", ["/a", "/b"])
def test_paths(client, path):
    assert client.get(path).status_code == 404
