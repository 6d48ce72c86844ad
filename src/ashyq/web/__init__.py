"""The web portal: public results, the evaluation cycle and the JSON API."""

from ashyq.web.app import create_app

__all__ = ["create_app"]
