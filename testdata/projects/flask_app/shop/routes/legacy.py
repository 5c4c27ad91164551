from ..services.reports import build_report


def legacy_report():
    return build_report()
