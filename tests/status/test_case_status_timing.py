"""A wrong case code and a wrong second fact take the same time (issue 7, acceptance 2): each lookup reads
one row by the code's index and compares digests in constant time, found or not."""

import statistics
import time

from lltp.cases.models import CaseStage
from lltp.extensions import db, limiter
from tests.factories import create_case
from tests.status.cases import NOT_FOUND

TRIES = 200


def _timed(client, form):
    started = time.perf_counter()
    response = client.post("/tra-cuu", data=form)
    elapsed = time.perf_counter() - started
    assert NOT_FOUND in response.get_data(as_text=True)
    return elapsed


def test_wrong_code_and_wrong_fact_take_the_same_time(isolated_db):
    was_enabled = limiter.enabled
    try:
        # The limits stay on, so their work is measured too, but raised past the tries.
        app = isolated_db(
            RATELIMIT_ENABLED=True,
            LLTP_STATUS_RATE_LIMIT="100000 per minute",
            LLTP_STATUS_CODE_RATE_LIMIT="100000 per minute",
        )
        with app.app_context():
            cases = [create_case(CaseStage.IN_REVIEW) for _ in range(20)]
            db.session.commit()
            code = cases[10].code
            client = app.test_client()
            wrong_code = {"case_code": code[:-4] + "9999", "fact": "17/05/1990"}
            wrong_fact = {"case_code": code, "fact": "18/05/1990"}
            for _ in range(20):  # warm up both paths
                _timed(client, wrong_code), _timed(client, wrong_fact)
            code_times, fact_times = [], []
            for _ in range(TRIES):  # interleaved, so that a busy moment falls on both
                code_times.append(_timed(client, wrong_code))
                fact_times.append(_timed(client, wrong_fact))
    finally:
        limiter.enabled = was_enabled
    code_median, fact_median = statistics.median(code_times), statistics.median(fact_times)
    assert abs(code_median - fact_median) <= 0.2 * min(code_median, fact_median), (code_median, fact_median)
