"""A gRPC inference service: the servicer's RPC methods serve one request each."""
import grpc

from . import inference_pb2 as pb
from .inference_pb2_grpc import InferenceServiceServicer, add_InferenceServiceServicer_to_server


class InferenceServicer(InferenceServiceServicer):
    def __init__(self, data_plane):
        self._data_plane = data_plane

    async def ServerLive(self, request, context):  # handler
        return pb.ServerLiveResponse(live=await self._data_plane.live())

    async def ModelInfer(self, request: pb.ModelInferRequest, context):  # handler
        result = await self._data_plane.infer(request)
        return self._to_response(result)

    def _to_response(self, result):
        return pb.ModelInferResponse(outputs=result)

    @staticmethod
    def _return_raw(request) -> bool:
        return bool(request.raw_output_contents)


class LoggingServicer:
    """Not a servicer of a generated module: its methods only log."""

    def Write(self, request, context):
        return None


def serve(data_plane):
    server = grpc.aio.server()
    add_InferenceServiceServicer_to_server(InferenceServicer(data_plane), server)
    return server
