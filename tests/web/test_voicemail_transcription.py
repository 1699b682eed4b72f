"""A voice message as text: Twilio transcribes it, a signed webhook keeps it with the request, staff read it
beside the audio, and it goes with the request (retention, erase); the simulator sends one too."""

from __future__ import annotations

import datetime as dt

from app import create_app
from clock import fixed_clock
from commands.data import erase_number, export_number
from commands.simulator import Phone, serve
from store import callbacks as store
from tests.conftest import CLOSED_SUNDAY, OPEN_MONDAY, Twilio, twiml
from tests.staff import logged_in
from tests.web.test_callback_ivr import Call, answer_until_record, open_requests, run_to_save
from workers.retention import purge_with

RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC" + "0" * 32 + "/Recordings/RE" + "2" * 32
CALL_SID = "CA" + "1" * 32
WORDS = "My son has had no school place since October and I need help with the appeal."


def transcription(twilio, *, call_sid=CALL_SID, recording=RECORDING, text=WORDS, status="completed", **extra):
    """Twilio's transcribeCallback, signed."""
    return twilio.post("/ivr/callback/transcription", {
        "CallSid": call_sid, "AccountSid": "AC" + "0" * 32, "From": "+447700900123", "To": "+447700900000",
        "RecordingSid": recording.rsplit("/", 1)[-1], "RecordingUrl": recording, "TranscriptionSid": "TR" + "3" * 32,
        "TranscriptionText": text, "TranscriptionStatus": status, "TranscriptionType": "fast",
        "TranscriptionUrl": "https://api.twilio.com/2010-04-01/Accounts/AC00/Transcriptions/TR33", **extra})


def test_the_recording_asks_twilio_for_a_transcription_sent_to_our_signed_webhook(app, twilio):
    call = Call(twilio)
    root = call.follow(call.post("/ivr/callback?topic=appeal"))
    root, _ = answer_until_record(call, root)
    record = root.find("Record")
    assert record.get("transcribe") == "true"
    assert record.get("transcribeCallback") == "/ivr/callback/transcription"


def test_the_transcription_is_kept_with_the_request_and_noted(app, twilio):
    run_to_save(Call(twilio), recording=RECORDING)
    assert transcription(twilio).status_code == 204
    [request] = open_requests(app)
    assert request["voice_message_text"] == WORDS and request["voice_message_text_status"] == "completed"
    assert request["events"][-1]["what"] == "voice message transcribed"


def test_an_unsigned_or_wrongly_signed_transcription_is_refused(app, twilio):
    run_to_save(Call(twilio), recording=RECORDING)
    assert transcription(Twilio(twilio.client, token="not-our-token")).status_code == 403
    assert "voice_message_text" not in open_requests(app)[0]


def test_a_transcription_of_another_recording_or_call_changes_nothing(app, twilio):
    run_to_save(Call(twilio), recording=RECORDING)
    assert transcription(twilio, recording=RECORDING.replace("RE2", "RE9")).status_code == 204
    assert transcription(twilio, call_sid="CA" + "9" * 32).status_code == 204
    assert "voice_message_text" not in open_requests(app)[0]


def test_a_failed_transcription_says_so_and_odd_text_is_cleaned(app, twilio):
    run_to_save(Call(twilio), recording=RECORDING)
    assert transcription(twilio, status="failed", text="").status_code == 204
    [request] = open_requests(app)
    assert request["voice_message_text_status"] == "failed" and request["voice_message_text"] == ""
    assert transcription(twilio, text="line one\nline\x00two " + "x" * 9000).status_code == 204
    assert open_requests(app)[0]["voice_message_text"].startswith("line one line two x")
    assert len(open_requests(app)[0]["voice_message_text"]) == store.TRANSCRIPT_MAX_CHARS


def test_a_new_message_replaces_the_old_text(app, twilio):
    run_to_save(Call(twilio), recording=RECORDING)
    transcription(twilio)
    newer = RECORDING.replace("RE" + "2" * 32, "RE" + "4" * 32)
    run_to_save(Call(twilio, call_sid="CA" + "5" * 32), recording=newer)
    [request] = open_requests(app)
    assert request["voice_message_url"] == newer and request["voice_message_text"] == ""
    transcription(twilio, call_sid="CA" + "5" * 32, recording=newer, text="Please call after 2pm.")
    assert open_requests(app)[0]["voice_message_text"] == "Please call after 2pm."


def test_the_adviser_reads_the_text_beside_the_audio(make_app):
    app = make_app(OPEN_MONDAY, twilio_account_sid="AC" + "0" * 32)
    twilio = Twilio(app.test_client())
    run_to_save(Call(twilio), recording=RECORDING)
    sam = logged_in(app)
    [request] = open_requests(app)
    html = sam.get(f"/staff/requests/{request['id']}").get_data(as_text=True)
    assert "The message as text is not here yet." in html
    transcription(twilio)
    html = sam.get(f"/staff/requests/{request['id']}").get_data(as_text=True)
    audio, text = html.index("<audio"), html.index(WORDS)
    assert audio < text < html.index("transcribed automatically: words may be wrong")
    assert "voice message transcribed" in html


def test_the_text_goes_with_the_request_on_erase_export_and_retention(app, twilio):
    run_to_save(Call(twilio), recording=RECORDING)
    transcription(twilio)
    svc = app.extensions["helpline"]
    exported = export_number(svc, "+447700900123")
    assert exported["callback_requests"][0]["voice_message_text"] == WORDS
    [request] = open_requests(app)
    store.record_outcome(svc.connections.redis, svc.settings, svc.calendar, request["id"], staff_name="sam",
                         outcome="reached", note="", now=OPEN_MONDAY)
    purge_with(svc, now=OPEN_MONDAY + dt.timedelta(days=svc.settings.retention_days + 1))
    assert store.get(svc.connections.redis, svc.settings, request["id"]) is None
    assert not [k for k in svc.connections.redis.scan_iter("*") if WORDS in str(svc.connections.redis.dump(k))]
    run_to_save(Call(twilio, call_sid="CA" + "6" * 32), recording=RECORDING)
    transcription(twilio, call_sid="CA" + "6" * 32)
    erase_number(svc, "+447700900123")
    assert open_requests(app) == []


def test_the_simulator_sends_the_transcription_after_the_recording(settings, redis_client):
    heard = []
    answers = iter(["0", "1", "1", "1", "1", "1", "1", "my son has no school place"])
    app_at = lambda base: create_app(settings.with_changes(public_base_url=base), clock=fixed_clock(CLOSED_SUNDAY))
    with serve(app_at) as base:
        Phone(base, settings.twilio_auth_token).call(lambda kind, verb: next(answers, None), heard.append)
    assert "[Twilio transcribed the message: my son has no school place]" in heard
    [request] = store.list_open(redis_client, settings)
    assert request["voice_message_text"] == "my son has no school place"
