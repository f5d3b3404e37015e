"""GB/T 28181-2016 SIP signalling: a sans-IO core and a thin transport.

`core.SipCore` takes bytes (`receive_datagram`, `receive_stream`,
`connection_closed`) and timer ticks (`next_deadline`, `handle_timers`) and
returns `events.Send` / `events.Close` effects and domain events. Requests
to devices come from `query_catalog` and `query_device_info`. The ports it
needs live in `ports` (credentials lookup, registration store) and `digest`
(nonce source); the clock is a plain callable. `transport.SipTransport`
runs a core on eventlet UDP and TCP sockets.
"""
