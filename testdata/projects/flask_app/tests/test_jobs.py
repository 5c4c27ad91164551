from shop.jobs import audit, export_rates


def test_audit():
    assert audit() is not None


def test_export_rates():
    assert export_rates()
