"""Line-protocol echo and syslog collectors on socketserver."""
import socketserver
from socketserver import BaseRequestHandler, DatagramRequestHandler, StreamRequestHandler

from .sink import SINK


class EchoHandler(StreamRequestHandler):
    def handle(self):  # handler
        for line in self.rfile:
            self.wfile.write(line)


class SyslogHandler(socketserver.DatagramRequestHandler):
    def setup(self):  # handler
        super().setup()

    def handle(self):  # handler
        SINK.write(self.rfile.read())


class RawHandler(BaseRequestHandler):
    def handle(self):  # handler
        data = self.request.recv(1024)
        self.request.sendall(data.upper())

    def _log(self, data):
        SINK.write(data)


class Worker:
    def handle(self, job):
        return job.run()


def serve():
    with socketserver.ThreadingTCPServer(("", 7000), EchoHandler) as server:
        server.serve_forever()
