"""Parser and serializer on raw bytes."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.signalling.events import Peer
from services.signalling.grammar import split_top_level
from services.signalling.message import Request
from services.signalling.parser import (
    _HEAD_END,
    Limits,
    ParseError,
    StreamParser,
    _head_end,
    parse_datagram,
)
from services.signalling.serializer import serialize

from .conftest import SIP_FIXTURES, SOURCE

FIXTURE_FILES = sorted(path.name for path in SIP_FIXTURES.glob("*.sip"))
FIXTURES = {name: (SIP_FIXTURES / name).read_bytes() for name in FIXTURE_FILES}


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_fixture_round_trips_byte_exact(name):
    data = FIXTURES[name]
    # The register fixtures carry one CRLF after the empty body: not ours.
    message = parse_datagram(data)
    length = int(message.header("Content-Length"))
    head_end = data.index(b"\r\n\r\n") + 4
    assert serialize(message) == data[: head_end + length]


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_stream_whole_byte_by_byte_and_with_trailing_data(name):
    data = FIXTURES[name]
    expected = parse_datagram(data)
    whole = StreamParser().feed(data)
    assert whole == [expected]

    parser = StreamParser()
    pieces = [message for byte in data for message in parser.feed(bytes([byte]))]
    assert pieces == [expected]

    parser = StreamParser()
    trailing = parser.feed(data + data + data[:50])
    assert trailing == [expected, expected]
    assert parser.in_message


def test_compact_forms_and_folding():
    data = (
        b"MESSAGE sip:34020000002000000001@3402000000 SIP/2.0\r\n"
        b"v: SIP/2.0/UDP 127.0.0.1:5060\r\n ;branch=z9hG4bKfold\r\n"
        b"f: <sip:34020000001320000001@3402000000>;tag=a\r\n"
        b"t: <sip:34020000002000000001@3402000000>\r\n"
        b"i: fold@127.0.0.1\r\n"
        b"CSEQ: 1 MESSAGE\r\n"
        b"c: Application/MANSCDP+xml\r\n"
        b"k: path\r\n"
        b"l: 2\r\n\r\nhi"
    )
    message = parse_datagram(data)
    assert isinstance(message, Request)
    assert message.top_via.branch == "z9hG4bKfold"
    assert message.call_id == "fold@127.0.0.1"
    assert message.header("supported") == "path"
    assert message.content_type == "application/manscdp+xml"
    assert message.body == b"hi"
    message.check_required_headers()


def test_bare_line_feeds_are_accepted():
    data = FIXTURES["register-behind-nat.sip"].replace(b"\r\n", b"\n")
    assert parse_datagram(data).method == "REGISTER"


def test_udp_body_runs_to_the_end_without_content_length():
    data = FIXTURES["catalog-page-1-of-2.sip"]
    data = data.replace(b"Content-Length: 350\r\n", b"")
    assert parse_datagram(data).body.endswith(b"</Response>\r\n")


@pytest.mark.parametrize(
    "change",
    [
        (b"Content-Length: 350", b"Content-Length: 351"),
        (b"Content-Length: 350", b"Content-Length: -1"),
        (b"Content-Length: 350", b"Content-Length: 350\r\nl: 9"),
        (b"MESSAGE sip", b"MESSAGE  sip"),
        (b"SIP/2.0\r\n", b"SIP/3.0\r\n"),
        (b"Max-Forwards: 70", b"Max Forwards 70"),
    ],
)
def test_broken_messages_raise_parse_error(change):
    data = FIXTURES["catalog-page-1-of-2.sip"].replace(*change)
    with pytest.raises(ParseError):
        parse_datagram(data)


def test_limits_bound_a_stream():
    limits = Limits(max_header_bytes=1024, max_body_bytes=1024)
    parser = StreamParser(limits)
    with pytest.raises(ParseError):
        parser.feed(b"REGISTER sip:x SIP/2.0\r\nX: " + b"a" * 2048)
    with pytest.raises(ParseError):
        StreamParser(limits).feed(
            b"MESSAGE sip:x SIP/2.0\r\nContent-Length: 5000\r\n\r\n"
        )


def test_keepalive_line_ends_between_stream_messages_are_skipped():
    data = FIXTURES["register-behind-nat.sip"]
    messages = StreamParser().feed(b"\r\n\r\n" + data + b"\r\n\r\n\r\n" + data)
    assert len(messages) == 2


LIMITS = Limits(max_header_bytes=2048, max_body_bytes=2048)


def mutations():
    sample = st.sampled_from(list(FIXTURES.values()))
    return st.one_of(
        st.binary(max_size=600),
        st.tuples(sample, st.integers(0, 700), st.binary(max_size=40)).map(
            lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
        ),
        st.tuples(sample, st.integers(0, 700)).map(lambda t: t[0][: t[1]]),
    )


@settings(max_examples=300, deadline=None)
@given(mutations())
def test_fuzz_datagram_raises_only_parse_error(data):
    try:
        message = parse_datagram(data, LIMITS)
    except ParseError:
        return
    serialize(message)


@settings(max_examples=200, deadline=None)
@given(st.lists(mutations(), max_size=6), st.integers(1, 97))
def test_fuzz_stream_raises_only_parse_error_and_stays_bounded(chunks, step):
    parser = StreamParser(LIMITS)
    data = b"".join(chunks)
    try:
        for start in range(0, len(data), step):
            parser.feed(data[start : start + step])
            assert parser.buffered_bytes <= LIMITS.max_buffered_bytes
    except ParseError:
        pass


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(mutations())
def test_fuzz_core_never_raises(core, data):
    core.receive_datagram(data, SOURCE)
    core.receive_stream(data, Peer("TCP", "127.0.0.1", 40001, 7))


def _split_one_char_at_a_time(text: str, separator: str) -> list[str]:
    parts, current = [], []
    in_quotes = in_angles = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif in_quotes and char == "\\":
            escaped = True
        elif char == '"' and not in_angles:
            in_quotes = not in_quotes
        elif char == "<" and not in_quotes:
            in_angles = True
        elif char == ">" and not in_quotes:
            in_angles = False
        elif char == separator and not in_quotes and not in_angles:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


@given(st.text(alphabet='ab,;"<>\\\n ', max_size=24), st.sampled_from(",;"))
def test_split_top_level_reads_quotes_and_brackets_as_the_grammar_says(text, separator):
    expected = _split_one_char_at_a_time(text, separator)
    assert split_top_level(text, separator) == expected


@given(st.lists(st.sampled_from([b"a", b"\r", b"\n"]), max_size=24).map(b"".join))
def test_the_end_of_headers_is_the_first_empty_line_of_any_kind(data):
    for end in (len(data), len(data) // 2):
        match = _HEAD_END.search(data, 0, end)
        expected = None if match is None else (match.start(), match.end())
        assert _head_end(data, end) == expected


def test_crlf_headers_after_a_bare_lf_empty_line_end_at_the_first():
    data = b"OPTIONS sip:a@b SIP/2.0\n\nbody\r\n\r\n"
    assert _head_end(data, len(data)) == (23, 25)
