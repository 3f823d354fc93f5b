#!/usr/bin/env python3
"""Holds every packet of one netfilter queue for a fixed delay, then lets it go.

The kernel's NFQUEUE hands each packet an nftables rule sends to the queue
(`queue num N`, see scripts/kernel-delay.ts) to this process and waits for a
verdict; answering "accept" DELAY ms later delays that packet by DELAY ms in
the kernel, as netem would, on kernels that have no netem. The packets stay in
the kernel: only their ids cross netlink (copy mode "meta"), and they leave in
the order they came, as each waits the same time.

Plain Python 3 and its standard library: netlink is spoken directly
(linux/netfilter/nfnetlink_queue.h), no libnetfilter_queue.

Usage: kernel-delay-queue.py QUEUE_NUM DELAY_MS MAX_SECONDS
Prints "ready" once bound. Stops when its standard input closes (the parent
is gone), on SIGTERM, or after MAX_SECONDS, whichever is first; packets still
held are accepted at once on the way out.
"""

import collections
import os
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
NF_ACCEPT = 1


def attribute(kind, payload):
    """One netlink attribute, padded to 4 bytes."""
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def message(msg_type, queue, attributes, flags=NLM_F_REQUEST):
    """An nfnetlink message to the queue subsystem: netlink header, nfgenmsg (AF_UNSPEC, version 0, queue number), attributes."""
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + b"".join(attributes)
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg_type, flags, 0, 0) + body


def expect_ack(sock, what):
    reply = sock.recv(65536)
    _length, kind = struct.unpack_from("=IH", reply)
    if kind == NLMSG_ERROR:
        (error,) = struct.unpack_from("=i", reply, 16)
        if error != 0:
            raise OSError(-error, f"{what}: {os.strerror(-error)}")


def packet_ids(data):
    """The packet ids in one read from the queue (a read may hold several messages)."""
    offset = 0
    while offset + 16 <= len(data):
        length, kind = struct.unpack_from("=IH", data, offset)
        if length < 16:
            return
        if kind & 0xFF == NFQNL_MSG_PACKET and kind >> 8 == NFNL_SUBSYS_QUEUE:
            at = offset + 16 + 4  # past the netlink header and nfgenmsg
            while at + 4 <= offset + length:
                attr_length, attr_kind = struct.unpack_from("=HH", data, at)
                if attr_length < 4:
                    break
                if attr_kind & 0x7FFF == NFQA_PACKET_HDR:
                    yield struct.unpack_from("!I", data, at + 4)[0]
                    break
                at += (attr_length + 3) & ~3
        offset += (length + 3) & ~3


def main():
    queue, delay_ms, max_seconds = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.bind((0, 0))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.send(message(NFQNL_MSG_CONFIG, queue, [attribute(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, 0))], NLM_F_REQUEST | NLM_F_ACK))
    expect_ack(sock, f"binding queue {queue}")
    sock.send(message(NFQNL_MSG_CONFIG, queue, [attribute(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META))], NLM_F_REQUEST | NLM_F_ACK))
    expect_ack(sock, "setting copy mode")

    held = collections.deque()  # (release time, packet id), in arrival order
    delay = delay_ms / 1000
    deadline = time.monotonic() + max_seconds
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)

    def accept(packet_id):
        sock.send(message(NFQNL_MSG_VERDICT, queue, [attribute(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id))]))

    while not stopping and time.monotonic() < deadline:
        now = time.monotonic()
        while held and held[0][0] <= now:
            accept(held.popleft()[1])
        wait = min(held[0][0] - now if held else 0.1, deadline - now)
        readable, _, _ = select.select([sock, sys.stdin], [], [], max(wait, 0))
        if sys.stdin in readable and not sys.stdin.buffer.read1(1):
            break  # the parent closed our input: it is gone or done
        if sock in readable:
            data = sock.recv(65536)
            release = time.monotonic() + delay
            for packet_id in packet_ids(data):
                held.append((release, packet_id))
    for _release, packet_id in held:
        accept(packet_id)


if __name__ == "__main__":
    main()
