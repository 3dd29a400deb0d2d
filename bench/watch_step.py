"""One timed step of bench/watch.sh, so hyperfine times every row with the same Python start-up.

  watch_step.py edit FILE URL              switch the greeting in FILE, wait until URL returns it
  watch_step.py restart FILE URL NAME BIN  the same, with 'functions stop NAME' and 'functions run NAME'
  watch_step.py direct PIDFILE URL CMD...  start CMD in the background, wait until URL returns 200

Every request goes to 127.0.0.1.
"""

import subprocess
import sys
import time
import urllib.error
import urllib.request

GREETINGS = ("Ping", "Pong")


def body(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except (urllib.error.URLError, ConnectionError, OSError):
        return None, ""


def wait_for(url, expected=None, limit=60.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        status, text = body(url)
        if status == 200 and (expected is None or expected in text):
            return
        time.sleep(0.002)
    sys.exit(f"timed out waiting for {url} to return {expected or 200}")


def switch_greeting(path):
    with open(path) as handle:
        text = handle.read()
    old, new = GREETINGS if GREETINGS[0] in text else reversed(GREETINGS)
    with open(path, "w") as handle:
        handle.write(text.replace(old, new))
    return new


def main():
    mode = sys.argv[1]
    if mode == "edit":
        path, url = sys.argv[2:4]
        wait_for(url, switch_greeting(path))
    elif mode == "restart":
        path, url, name, binary = sys.argv[2:6]
        expected = switch_greeting(path)
        subprocess.run([binary, "stop", name, "-q"], check=True, stdout=subprocess.DEVNULL)
        port = url.rstrip("/").rsplit(":", 1)[1]
        subprocess.run([binary, "run", name, "--port", port, "-q"], check=True, stdout=subprocess.DEVNULL)
        wait_for(url, expected)
    elif mode == "direct":
        pidfile, url, *command = sys.argv[2:]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(pidfile, "w") as handle:
            handle.write(str(process.pid))
        wait_for(url)
    else:
        sys.exit(f"unknown mode {mode}")


main()
