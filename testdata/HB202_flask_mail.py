"""Member sign-up service (Flask): confirmation and reset mails go out with Flask-Mail.

Flask-Mail connects with smtplib.SMTP(host, port) and takes no timeout, by argument or setting.
"""
import smtplib
import socket

from flask import Flask, current_app, request
from flask_mail import Mail, Message

app = Flask(__name__)
mail = Mail(app)


class Outbox:
    """The project's own queue of mails to send later: its send() only stores."""

    def __init__(self):
        self.pending = []

    def send(self, message):
        self.pending.append(message)


outbox = Outbox()


@app.post("/signup")
def signup():
    message = Message("Confirm your address", recipients=[request.form["email"]])
    mail.send(message)  # expect: HB202 "mail.send() connects with smtplib.SMTP(host, port) and no timeout" "handler 'signup'" "socket.setdefaulttimeout"
    return "", 201


@app.post("/reset")
def reset():
    mail.send_message("Reset your password", recipients=[request.form["email"]])  # expect: HB202 "handler 'reset'"
    return "", 202


@app.post("/digest")
def digest():
    with mail.connect() as connection:  # expect: HB202 "mail.connect()" "handler 'digest'"
        for address in request.form.getlist("email"):
            connection.send(Message("Weekly digest", recipients=[address]))  # ok: HB202 connected at the with above
    return "", 202


@app.post("/later")
def later():
    outbox.send(Message("Later", recipients=[request.form["email"]]))  # ok: HB202 the project's own Outbox stores it
    current_app.extensions["mail"].send(Message("Now"))  # ok: HB202 a receiver of unknown kind
    return "", 202


@app.get("/health/smtp")
def smtp_health():
    server = smtplib.SMTP(app.config["MAIL_SERVER"], app.config["MAIL_PORT"])  # expect: HB202 "smtplib.SMTP() has no timeout"
    server.noop()
    server.quit()
    return "", 204


class Notifier:
    def notify(self, address):
        socket.setdefaulttimeout(10)
        mail.send(Message("Notice", recipients=[address]))  # ok: HB202 the socket default is set just before
