"""Callback requests by phone: signed webhooks, TwiML parsed, state in the query string, one save per call."""

from urllib.parse import urlsplit

from commands.simulator import Phone, serve
from app import create_app
from clock import fixed_clock
from store import callbacks as store
from tests.conftest import CLOSED_SUNDAY, spoken, twiml


def open_requests(app):
    svc = app.extensions["helpline"]
    return store.list_open(svc.connections.redis, svc.settings)


def path(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Call:
    """Follow one call: post to the URL TwiML names, keeping the CallSid."""

    def __init__(self, twilio, call_sid="CA" + "1" * 32, from_="+447700900123"):
        self.twilio, self.sid, self.from_ = twilio, call_sid, from_

    def post(self, url, **fields):
        return twiml(self.twilio.call(path(url), call_sid=self.sid, from_=self.from_, **fields))

    def follow(self, root):
        """The redirect at the end of a document."""
        return self.post(root.find("Redirect").text)

    def answer(self, root, **fields):
        """Post an answer to the document's Gather (or Record) action."""
        el = root.find("Gather")
        if el is None:
            el = root.find("Record")
        return self.post(el.get("action"), **fields)


def step_of(root) -> str:
    """The question a document asks: the last part of its Gather's action path ("topic", "date"...)."""
    gather = root.find("Gather")
    return urlsplit(gather.get("action")).path.rsplit("/", 1)[-1] if gather is not None else ""


def answer_until_record(call, root, keys=None):
    """Answer each question (keys by step: 0 skips a date, 4 changes a live request, 1 otherwise) until the
    <Record>; what was heard."""
    keys = {"date": "0", "live": "4", **(keys or {})}
    heard = [spoken(root)]
    for _ in range(15):
        if root.find("Record") is not None:
            return root, heard
        root = call.answer(root, Digits=keys.get(step_of(root), "1"))
        heard.append(spoken(root))
    raise AssertionError("no recording question")


def run_to_save(call, *, topic="appeal", keys=None, recording=None):
    root = call.follow(call.post(f"/ivr/callback?topic={topic}"))
    root, heard = answer_until_record(call, root, keys)
    record = root.find("Record")
    assert record.get("maxLength") == "120" and record.get("finishOnKey") == "#"
    fields = {"RecordingUrl": recording, "RecordingSid": "RE" + "2" * 32} if recording else {}
    return call.answer(root, **fields), heard


def test_a_caller_confirms_their_number_and_leaves_a_message(app, twilio):
    call = Call(twilio)
    root, heard = run_to_save(call, recording="https://api.twilio.com/Recordings/RE1")
    assert "0 7 7 0 0, 9 0 0 1 2 3" in heard[0]
    assert "appeals to the Tribunal, press 1" in heard[1] and "health or the N H S, press 5" in heard[1]
    said = spoken(root)
    assert "0 7 7 0 0, 9 0 0 1 2 3" in said and "Monday the 23rd of November" in said  # the number and the day
    assert "0 1 2 2 5, 3 9 4 3 8 2" in said and "CALLBACK OFF" in said
    assert root.find("Gather").get("action").endswith("/ivr/callback/done")
    [request] = open_requests(app)
    assert request["phone"] == "+447700900123" and request["channel"] == "voice" and request["topic"] == "appeal"
    assert request["voicemail_ok"] is True and request["text_ok"] is True and request["part_of_day"] == "morning"
    assert request["voice_message_url"] == "https://api.twilio.com/Recordings/RE1"
    svc = app.extensions["helpline"]
    assert svc.connections.redis.llen(f"rq:queue:{svc.settings.queue_name}") == 1  # the confirmation text job


def test_the_same_questions_as_by_text_with_the_same_keys(app, twilio):
    call = Call(twilio)
    root = call.follow(call.post("/ivr/callback?topic=appeal"))
    asked = []
    for _ in range(12):
        if root.find("Record") is not None:
            asked.append("message")
            break
        asked.append(step_of(root))
        root = call.answer(root, Digits={"date": "25092026"}.get(step_of(root), "1"))
    assert asked == ["number", "topic", "date", "time", "how", "voicemail", "text", "message"]
    root = call.answer(root)
    [request] = open_requests(app)
    assert request["decision_date"] == "2026-09-25" and request["deadline"] == "2026-11-25"
    assert request["urgent"] is True  # the appeal deadline is within 10 working days


def test_nothing_is_stored_before_the_save(app, twilio):
    call = Call(twilio)
    root = call.follow(call.post("/ivr/callback?topic=appeal"))
    root = call.answer(root, Digits="1")
    assert open_requests(app) == []


def test_the_same_callsid_saved_twice_is_one_request(app, twilio):
    call = Call(twilio)
    root, _ = run_to_save(call)
    save_url = path("/ivr/callback/save?topic=appeal&phone=%2B447700900123&vm=1&txt=1")
    again = call.post(save_url)
    assert "We will call you on" in spoken(again)
    assert len(open_requests(app)) == 1


def test_another_number_is_keyed_read_back_and_confirmed(app, twilio):
    call = Call(twilio)
    root = call.follow(call.post("/ivr/callback?topic=appeal"))
    root = call.answer(root, Digits="2")
    gather = root.find("Gather")
    assert gather.get("finishOnKey") == "#" and gather.get("input") == "dtmf"
    root = call.answer(root, Digits="12345")  # too short
    assert "not a UK phone number" in spoken(root) and step_of(root) == "key"
    root = call.answer(root, Digits="01225394000")
    assert step_of(root) == "confirm" and "0 1 2 2 5, 3 9 4 0 0 0" in spoken(root)  # read back
    root = call.answer(root, Digits="1")
    root = call.answer(root, Digits="2")  # school (the route they were in is 1)
    root, _ = answer_until_record(call, root, {"voicemail": "2"})
    root = call.answer(root)
    assert "0 1 2 2 5, 3 9 4 0 0 0" in spoken(root)  # the confirmation names the number
    [request] = open_requests(app)
    assert request["phone"] == "+441225394000" and request["topic"] == "school"
    assert request["voicemail_ok"] is False and request["text_ok"] is None and request["voice_message_url"] is None


def test_a_withheld_number_is_asked_to_key_one_or_text(app, twilio):
    call = Call(twilio, from_="anonymous")
    root = call.follow(call.post("/ivr/callback?topic=main"))
    assert "Your number is hidden" in spoken(root) and "0 7 5 3 0, 2 6 3 4 0 1" in spoken(root)
    texted = call.answer(root, Digits="2")
    assert "text CALLBACK to 0 7 5 3 0, 2 6 3 4 0 1" in spoken(texted)
    for withheld in ("+266696687", "", "+33612345678"):
        root = Call(twilio, from_=withheld).follow(Call(twilio, from_=withheld).post("/ivr/callback"))
        assert "Your number is hidden" in spoken(root)


def test_no_input_asks_again_then_gives_up_politely(app, twilio):
    call = Call(twilio)
    root = call.follow(call.post("/ivr/callback"))
    for _ in range(2):
        root = call.follow(root)  # the Gather's fallback: the same answer URL, nothing pressed
        assert "I did not hear an answer" in spoken(root) and step_of(root) == "number"
    root = call.follow(root)
    assert root.find("Redirect").text.endswith("/ivr/menu?node=main")
    assert "could not take your request" in spoken(root)


def test_an_invalid_key_says_so_and_asks_again(app, twilio):
    call = Call(twilio)
    root = call.follow(call.post("/ivr/callback"))
    root = call.answer(root, Digits="7")
    assert "did not understand" in spoken(root) and root.find("Gather") is not None


def test_speech_answers_work(app, twilio):
    call = Call(twilio)
    root = call.follow(call.post("/ivr/callback?topic=health"))
    root = call.answer(root, SpeechResult="Yes.")
    root = call.answer(root, SpeechResult="it's about school")
    assert step_of(root) == "time"
    root = call.answer(root, SpeechResult="Polish please")
    assert "Polish interpreter" in spoken(root) and step_of(root) == "time"


def test_a_caller_with_a_live_request_hears_it_and_can_cancel_it(app, twilio):
    run_to_save(Call(twilio))
    call = Call(twilio, call_sid="CA" + "7" * 32)
    root = call.follow(call.post("/ivr/callback?topic=main"))
    assert step_of(root) == "live" and "Monday the 23rd of November" in spoken(root)
    root = call.answer(root, Digits="3")
    assert "cancelled" in spoken(root)
    assert open_requests(app) == []


def test_a_caller_can_move_a_live_request_to_a_day_they_choose(app, twilio):
    run_to_save(Call(twilio))
    call = Call(twilio, call_sid="CA" + "8" * 32)
    root = call.follow(call.post("/ivr/callback?topic=main"))
    root = call.answer(root, Digits="2")
    assert step_of(root) == "move_day" and "Wednesday the 25th of November, press 3" in spoken(root)
    root = call.answer(root, Digits="3")
    assert "moved to Wednesday the 25th of November" in spoken(root)
    [request] = open_requests(app)
    assert request["expected_on"] == "2026-11-25" and "moved by phone" in request["events"][-1]["what"]


def test_bridge_dials_the_parent_from_the_helpline_number(app, twilio):
    call = Call(twilio)
    run_to_save(call)
    [request] = open_requests(app)
    root = twiml(twilio.call(f"/ivr/bridge?request={request['id']}", from_="+441632960001"))
    dial = root.find("Dial")
    assert dial.get("callerId") == "+441225394382" and dial.find("Number").text == "+447700900123"
    assert "Appeals to the Tribunal" in spoken(root)
    missing = twiml(twilio.call("/ivr/bridge?request=999"))
    assert missing.find("Hangup") is not None and missing.find("Dial") is None


def test_a_whole_call_through_the_simulator_over_http(settings, redis_client):
    """Out of hours, 0 in the main menu asks for a callback: a real server, the simulator's Phone."""
    heard = []
    answers = iter(["0", "1", "1", "1", "1", "1", "1", "my son has no school place"])

    def answer(kind, verb):
        return next(answers, None)

    app_at = lambda base: create_app(settings.with_changes(public_base_url=base), clock=fixed_clock(CLOSED_SUNDAY))
    with serve(app_at) as base:
        Phone(base, settings.twilio_auth_token).call(answer, heard.append)
    assert any("0 7 7 0 0, 9 0 0 1 2 3" in h for h in heard)
    assert any("We will call you on 0 7 7 0 0, 9 0 0 1 2 3, on Monday the 23rd of November" in h for h in heard)
    assert heard[-1] == "[the call ends]"
    [request] = store.list_open(redis_client, settings)
    assert request["channel"] == "voice" and request["voice_message_url"].startswith("https://api.twilio.com/")


def test_a_date_is_keyed_the_same_way_in_both_conversations(app, twilio):
    """The decision date here and the letter's date in the calculator: one voice adapter, one Gather."""
    call = Call(twilio)
    root = call.follow(call.post("/ivr/callback?topic=appeal"))
    while step_of(root) != "date":
        root = call.answer(root, Digits="1")
    callback_date = root.find("Gather")
    calculator = Call(twilio, call_sid="CA" + "2" * 32)
    root = calculator.follow(calculator.post("/ivr/deadline"))
    root = calculator.answer(root, Digits="1")  # an appeal to the Tribunal: its first question is the date
    deadline_date = root.find("Gather")
    assert deadline_date.get("action").startswith("/ivr/deadline/answer/sent")  # the date the letter was sent
    for gather in (callback_date, deadline_date):
        assert gather.get("finishOnKey") == "#" and gather.get("numDigits") is None
        assert gather.get("input") == "dtmf speech" and gather.get("timeout") == "10"
        assert "press hash" in spoken(gather)
