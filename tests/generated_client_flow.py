"""An integrator's program: what a client generated from Ashyq's OpenAPI description does
to sign in and file a dispute, over HTTP, knowing nothing but the description.

Run by ``tests/test_openapi.py`` in the generator's own environment (it has httpx), with
the generated package on the path: ``python generated_client_flow.py URL USER PASSWORD``.
Prints what it got as JSON.
"""

from __future__ import annotations

import json
import sys

import httpx
from ashyq_client import AuthenticatedClient
from ashyq_client.api.cycle import file_dispute_api_v1_cycle_periods_period_disputes_post as file
from ashyq_client.api.session import current_session_api_v1_session_get as current
from ashyq_client.api.session import sign_in_api_v1_session_post as sign_in
from ashyq_client.models import BodyFileDisputeApiV1CyclePeriodsPeriodDisputesPost, Credentials


def main(url: str, username: str, password: str) -> None:
    # One HTTP client for the whole visit: it keeps the cookies the portal sets (the CSRF
    # cookie, then the session), as the description's security schemes say.
    browser = httpx.Client(base_url=url)
    client = AuthenticatedClient(base_url=url, token="")
    client.set_httpx_client(browser)
    before = current.sync(client=client)
    browser.headers["X-CSRF-Token"] = before.csrf_token
    signed_in = sign_in.sync(client=client, body=Credentials(username=username, password=password))
    browser.headers["X-CSRF-Token"] = signed_in.csrf_token
    filed = file.sync_detailed(
        period=2026,
        client=client,
        body=BodyFileDisputeApiV1CyclePeriodsPeriodDisputesPost(
            indicator="review_timeliness",
            justification="The authority counted appeals that were withdrawn.",
        ),
    )
    print(
        json.dumps(
            {
                "before": before.role,
                "signed_in": signed_in.role,
                "status": int(filed.status_code),
                "dispute": json.loads(filed.content),
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
