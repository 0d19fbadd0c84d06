"""An independent gRPC client for tests/grpc.rs: Python's `grpcio` (the gRPC project's
implementation), installed by tests/grpc-interop/setup.sh.

Usage: client.py HOST:PORT  with the cases as JSON on stdin:
  [{"name": "...", "method": "Get"|"Delete", "id": "...", "authorization": "..."|null}]
Prints one JSON object per case: its name, the status code name, the details, the
`www-authenticate` metadata (initial or trailing) and, on OK, the decoded Order.

The messages are encoded by hand (no generated stubs): GetRequest { string id = 1 },
Order { string id = 1; string owner = 2 }.
"""

import json
import sys

import grpc


def encode_get_request(order_id):
    data = order_id.encode()
    assert len(data) < 128
    return b"\x0a" + bytes([len(data)]) + data


def decode_order(raw):
    fields, i = {}, 0
    while i < len(raw):
        key = raw[i]
        length = raw[i + 1]
        assert key & 7 == 2 and length < 128, "only short strings are expected"
        fields[key >> 3] = raw[i + 2 : i + 2 + length].decode()
        i += 2 + length
    return {"id": fields.get(1, ""), "owner": fields.get(2, "")}


def metadata_value(metadata, name):
    for key, value in metadata or ():
        if key == name:
            return value
    return None


def main():
    target = sys.argv[1]
    cases = json.load(sys.stdin)
    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=10)
        for case in cases:
            call = channel.unary_unary(
                "/orders.v1.Orders/" + case["method"],
                request_serializer=encode_get_request,
                response_deserializer=decode_order,
            )
            metadata = []
            if case.get("authorization") is not None:
                metadata.append(("authorization", case["authorization"]))
            result = {"name": case["name"]}
            try:
                order, rpc = call.with_call(case["id"], metadata=metadata, timeout=10)
                result.update(code=rpc.code().name, order=order)
                initial, trailing = rpc.initial_metadata(), rpc.trailing_metadata()
            except grpc.RpcError as err:
                result.update(code=err.code().name, details=err.details())
                initial, trailing = err.initial_metadata(), err.trailing_metadata()
            result["www_authenticate"] = metadata_value(
                trailing, "www-authenticate"
            ) or metadata_value(initial, "www-authenticate")
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
