"""The public API of janus-client 0.9.0, as data, and a check of this package against it.

`SURFACE` lists every public name of the 0.9.0 release (read from its wheel on
PyPI): each module-level class and function, each method, property, class
attribute and enum member, with the parameter names and the kind of value
returned. `problems` checks this package against it (the test suite fails on any
problem), and `contract_markdown` renders the "0.9.x API contract" documentation
page, with the new API's equivalent of each name.

Rules of the check:

* the name exists at the same import path (methods on the class);
* a coroutine function stays a coroutine function, a property stays readable;
* 0.9.0's parameters come first, with the same names and in the same order (new
  parameters may follow, as keywords); where 0.9.0 took ``**kwargs``, the keywords
  its own code passed there (`KWARGS_AS`) are accepted;
* the return kind is the same; where 0.9.0 returned None the new value is free
  (0.9.x code cannot use a None);
* enum members keep their values, and the package root re-exports the same objects.
"""

# ruff: noqa: E501 - one table row per line: the surface data reads best unwrapped
from __future__ import annotations

import enum
import importlib
import inspect
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["COMPATIBLE_RETURNS", "KWARGS_AS", "NEW_API", "SURFACE", "Entry", "contract_markdown", "problems"]


@dataclass(frozen=True)
class Entry:
    """One public name of janus-client 0.9.0.

    Attributes:
        module: The import path (``janus_client.session``).
        name: The name in the module (``JanusSession.send`` for a method).
        kind: ``export``, ``class``, ``function``, ``async function``, ``method``,
            ``async method``, ``staticmethod``, ``property``, ``attribute`` (of
            the class), ``instance attribute`` (set by the constructor) or
            ``enum member``.
        params: The parameter names, without ``self``.
        returns: The kind of value returned (``dict``, ``list``, ``int | None``,
            ``MessageTransaction``, ...); for an export, the module it comes from;
            for an enum member, its value; empty when not applicable.
    """

    module: str
    name: str
    kind: str
    params: tuple[str, ...]
    returns: Any


E = Entry

#: The public surface of janus-client 0.9.0 (facts read from its release).
SURFACE: tuple[Entry, ...] = (
    E('janus_client', 'JanusAdminMonitorClient', 'export', (), 'janus_client.admin_monitor'),
    E('janus_client', 'JanusSession', 'export', (), 'janus_client.session'),
    E('janus_client', 'PluginAttachFail', 'export', (), 'janus_client.session'),
    E('janus_client', 'JanusPlugin', 'export', (), 'janus_client.plugin_base'),
    E('janus_client', 'JanusEchoTestPlugin', 'export', (), 'janus_client.plugin_echotest'),
    E('janus_client', 'JanusTextRoomPlugin', 'export', (), 'janus_client.plugin_textroom'),
    E('janus_client', 'TextRoomError', 'export', (), 'janus_client.plugin_textroom'),
    E('janus_client', 'TextRoomEventType', 'export', (), 'janus_client.plugin_textroom'),
    E('janus_client', 'JanusVideoCallPlugin', 'export', (), 'janus_client.plugin_video_call'),
    E('janus_client', 'VideoCallError', 'export', (), 'janus_client.plugin_video_call'),
    E('janus_client', 'VideoCallEventType', 'export', (), 'janus_client.plugin_video_call'),
    E('janus_client', 'JanusVideoRoomPlugin', 'export', (), 'janus_client.plugin_video_room'),
    E('janus_client', 'VideoRoomError', 'export', (), 'janus_client.plugin_video_room'),
    E('janus_client', 'VideoRoomEventType', 'export', (), 'janus_client.plugin_video_room'),
    E('janus_client', 'ParticipantType', 'export', (), 'janus_client.plugin_video_room'),
    E('janus_client', 'JanusTransport', 'export', (), 'janus_client.transport'),
    E('janus_client', 'JanusTransportHTTP', 'export', (), 'janus_client.transport_http'),
    E('janus_client', 'JanusTransportWebsocket', 'export', (), 'janus_client.transport_websocket'),
    E('janus_client', 'MediaKind', 'export', (), 'janus_client.media'),
    E('janus_client', 'MediaStreamTrack', 'export', (), 'janus_client.media'),
    E('janus_client', 'MediaPlayer', 'export', (), 'janus_client.media'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient', 'class', (), ''),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.__init__', 'method', ('base_url', 'admin_secret', 'api_secret', 'token'), ''),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.connect', 'async method', (), 'None'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.disconnect', 'async method', (), 'None'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.send_wrapper', 'async method', ('message', 'matcher', 'jsep', 'timeout', 'authorize'), 'dict'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.ping', 'async method', (), 'dict'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.info', 'async method', (), 'dict'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.loops_info', 'async method', (), 'list'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.get_settings', 'async method', (), 'dict'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.set_session_timeout', 'async method', ('session_timeout',), 'int'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.set_log_level', 'async method', ('log_level',), 'int'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.set_log_timestamps', 'async method', ('log_timestamps',), 'bool'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.set_log_colors', 'async method', ('log_colors',), 'bool'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.set_locking_debug', 'async method', ('locking_debug',), 'bool'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.set_refcount_debug', 'async method', ('refcount_debug',), 'bool'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.set_libnice_debug', 'async method', ('libnice_debug',), 'bool'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.set_min_nack_queue', 'async method', ('min_nack_queue',), 'int'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.set_no_media_timer', 'async method', ('no_media_timer',), 'int'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.set_slowlink_threshold', 'async method', ('slowlink_threshold',), 'int'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.list_tokens', 'async method', (), 'list'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.add_token', 'async method', ('token', 'plugins'), 'str'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.remove_token', 'async method', ('token',), 'bool'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.allow_token', 'async method', ('token', 'plugins'), 'list'),
    E('janus_client.admin_monitor', 'JanusAdminMonitorClient.disallow_token', 'async method', ('token', 'plugins'), 'list'),
    E('janus_client.media', 'async_do_nothing', 'async function', (), 'None'),
    E('janus_client.media', 'do_nothing', 'function', (), 'None'),
    E('janus_client.media', 'MediaKind', 'class', (), ''),
    E('janus_client.media', 'MediaKind.VIDEO', 'enum member', (), 'video'),
    E('janus_client.media', 'MediaKind.AUDIO', 'enum member', (), 'audio'),
    E('janus_client.media', 'PlayerStreamTrack', 'class', (), ''),
    E('janus_client.media', 'PlayerStreamTrack.__init__', 'method', ('kind', 'on_start', 'on_stop'), ''),
    E('janus_client.media', 'PlayerStreamTrack.recv', 'async method', (), 'Frame | Packet'),
    E('janus_client.media', 'PlayerStreamTrack.put_frame', 'async method', ('frame',), 'None'),
    E('janus_client.media', 'PlayerStreamTrack.clear_queue', 'async method', (), 'None'),
    E('janus_client.media', 'stream_media', 'function', ('event_loop', 'container', 'streams', 'audio_stream_track', 'video_stream_track', 'thread_start_event', 'thread_quit_event', 'throttle_playback', 'loop_playback'), 'None'),
    E('janus_client.media', 'MediaPlayer', 'class', (), ''),
    E('janus_client.media', 'MediaPlayer.__init__', 'method', ('file', 'format', 'options', 'timeout', 'event_loop', 'loop_playback'), ''),
    E('janus_client.media', 'MediaPlayer.stream_tracks', 'property', (), 'list'),
    E('janus_client.media', 'MediaPlayer.stop', 'method', (), 'None'),
    E('janus_client.message_transaction', 'is_subset', 'function', ('dict_1', 'dict_2'), 'bool'),
    E('janus_client.message_transaction', 'MessageTransaction', 'class', (), ''),
    E('janus_client.message_transaction', 'MessageTransaction.__init__', 'method', (), ''),
    E('janus_client.message_transaction', 'MessageTransaction.id', 'property', (), 'str'),
    E('janus_client.message_transaction', 'MessageTransaction.put_msg', 'method', ('message',), 'None'),
    E('janus_client.message_transaction', 'MessageTransaction.get', 'async method', ('matcher', 'timeout'), 'dict'),
    E('janus_client.message_transaction', 'MessageTransaction.on_done', 'async method', (), 'None'),
    E('janus_client.message_transaction', 'MessageTransaction.done', 'async method', (), 'None'),
    E('janus_client.plugin_base', 'JanusPlugin', 'class', (), ''),
    E('janus_client.plugin_base', 'JanusPlugin.name', 'attribute', (), ''),
    E('janus_client.plugin_base', 'JanusPlugin.__init__', 'method', ('pc_config',), ''),
    E('janus_client.plugin_base', 'JanusPlugin.id', 'property', (), 'int | None'),
    E('janus_client.plugin_base', 'JanusPlugin.pc', 'property', (), 'RTCPeerConnection'),
    E('janus_client.plugin_base', 'JanusPlugin.pc_config', 'property', (), 'RTCConfiguration | None'),
    E('janus_client.plugin_base', 'JanusPlugin.reset_connection', 'async method', (), 'None'),
    E('janus_client.plugin_base', 'JanusPlugin.attach', 'async method', ('session',), 'None'),
    E('janus_client.plugin_base', 'JanusPlugin.destroy', 'async method', (), 'None'),
    E('janus_client.plugin_base', 'JanusPlugin.send', 'async method', ('message',), 'MessageTransaction'),
    E('janus_client.plugin_base', 'JanusPlugin.on_receive', 'async method', ('response',), 'None'),
    E('janus_client.plugin_base', 'JanusPlugin.create_jsep', 'async method', ('pc', 'trickle'), 'dict'),
    E('janus_client.plugin_base', 'JanusPlugin.on_receive_jsep', 'async method', ('jsep',), 'None'),
    E('janus_client.plugin_base', 'JanusPlugin.trickle', 'async method', ('sdpMLineIndex', 'candidate'), 'None'),
    E('janus_client.plugin_echotest', 'JanusEchoTestPlugin', 'class', (), ''),
    E('janus_client.plugin_echotest', 'JanusEchoTestPlugin.name', 'attribute', (), ''),
    E('janus_client.plugin_echotest', 'JanusEchoTestPlugin.__init__', 'method', ('**kwargs',), ''),
    E('janus_client.plugin_echotest', 'JanusEchoTestPlugin.on_receive', 'async method', ('response',), 'None'),
    E('janus_client.plugin_echotest', 'JanusEchoTestPlugin.wait_webrtcup', 'async method', (), 'None'),
    E('janus_client.plugin_echotest', 'JanusEchoTestPlugin.start', 'async method', ('play_from', 'record_to'), 'None'),
    E('janus_client.plugin_echotest', 'JanusEchoTestPlugin.close_stream', 'async method', (), 'None'),
    E('janus_client.plugin_textroom', 'TextRoomError', 'class', (), ''),
    E('janus_client.plugin_textroom', 'TextRoomError.__init__', 'method', ('error_code', 'error_message'), ''),
    E('janus_client.plugin_textroom', 'TextRoomEventType', 'class', (), ''),
    E('janus_client.plugin_textroom', 'TextRoomEventType.JOIN', 'enum member', (), 'join'),
    E('janus_client.plugin_textroom', 'TextRoomEventType.LEAVE', 'enum member', (), 'leave'),
    E('janus_client.plugin_textroom', 'TextRoomEventType.KICKED', 'enum member', (), 'kicked'),
    E('janus_client.plugin_textroom', 'TextRoomEventType.DESTROYED', 'enum member', (), 'destroyed'),
    E('janus_client.plugin_textroom', 'TextRoomEventType.MESSAGE', 'enum member', (), 'message'),
    E('janus_client.plugin_textroom', 'TextRoomEventType.ANNOUNCEMENT', 'enum member', (), 'announcement'),
    E('janus_client.plugin_textroom', 'TextRoomEventType.ERROR', 'enum member', (), 'error'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin', 'class', (), ''),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.name', 'attribute', (), ''),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.__init__', 'method', ('**kwargs',), ''),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.on_receive', 'async method', ('response',), 'None'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.on_event', 'method', ('event_type', 'handler'), 'None'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.check_error_in_response', 'method', ('response',), 'None'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.send_wrapper', 'async method', ('message', 'matcher', 'timeout'), 'dict'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.setup', 'async method', ('timeout',), 'None'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.list_rooms', 'async method', ('admin_key', 'timeout'), 'list'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.list_participants', 'async method', ('room', 'timeout'), 'list'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.create_room', 'async method', ('room', 'description', 'secret', 'pin', 'is_private', 'history', 'post', 'admin_key', 'permanent', 'timeout'), 'int'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.destroy_room', 'async method', ('room', 'secret', 'permanent', 'timeout'), 'None'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.join_room', 'async method', ('room', 'username', 'display', 'pin', 'token', 'history', 'timeout'), 'list'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.leave_room', 'async method', ('room', 'timeout'), 'None'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.send_message', 'async method', ('room', 'text', 'to', 'tos', 'ack', 'timeout'), 'None'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.send_announcement', 'async method', ('room', 'text', 'secret', 'timeout'), 'None'),
    E('janus_client.plugin_textroom', 'JanusTextRoomPlugin.kick_participant', 'async method', ('room', 'username', 'secret', 'timeout'), 'None'),
    E('janus_client.plugin_video_call', 'VideoCallError', 'class', (), ''),
    E('janus_client.plugin_video_call', 'VideoCallError.__init__', 'method', ('error_code', 'error_message'), ''),
    E('janus_client.plugin_video_call', 'VideoCallEventType', 'class', (), ''),
    E('janus_client.plugin_video_call', 'VideoCallEventType.REGISTERED', 'enum member', (), 'registered'),
    E('janus_client.plugin_video_call', 'VideoCallEventType.CALLING', 'enum member', (), 'calling'),
    E('janus_client.plugin_video_call', 'VideoCallEventType.INCOMINGCALL', 'enum member', (), 'incomingcall'),
    E('janus_client.plugin_video_call', 'VideoCallEventType.ACCEPTED', 'enum member', (), 'accepted'),
    E('janus_client.plugin_video_call', 'VideoCallEventType.UPDATE', 'enum member', (), 'update'),
    E('janus_client.plugin_video_call', 'VideoCallEventType.HANGUP', 'enum member', (), 'hangup'),
    E('janus_client.plugin_video_call', 'VideoCallEventType.SET', 'enum member', (), 'set'),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin', 'class', (), ''),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin.name', 'attribute', (), ''),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin.__init__', 'method', ('**kwargs',), ''),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin.username', 'property', (), 'str | None'),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin.in_call', 'property', (), 'bool'),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin.on_event', 'method', ('event_type', 'handler'), 'None'),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin.on_receive', 'async method', ('response',), 'None'),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin.list_users', 'async method', ('timeout',), 'list'),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin.register', 'async method', ('username', 'timeout'), 'bool'),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin.call', 'async method', ('username', 'player', 'recorder', 'trickle', 'timeout'), 'bool'),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin.accept', 'async method', ('jsep', 'player', 'recorder', 'trickle', 'timeout'), 'bool'),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin.set_media', 'async method', ('audio', 'video', 'bitrate', 'record', 'filename', 'substream', 'temporal', 'fallback', 'jsep', 'timeout'), 'bool'),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin.hangup', 'async method', ('timeout',), 'bool'),
    E('janus_client.plugin_video_call', 'JanusVideoCallPlugin.destroy', 'async method', (), 'None'),
    E('janus_client.plugin_video_room', 'VideoRoomError', 'class', (), ''),
    E('janus_client.plugin_video_room', 'VideoRoomError.__init__', 'method', ('error_code', 'error_message'), ''),
    E('janus_client.plugin_video_room', 'VideoRoomEventType', 'class', (), ''),
    E('janus_client.plugin_video_room', 'VideoRoomEventType.JOINED', 'enum member', (), 'joined'),
    E('janus_client.plugin_video_room', 'VideoRoomEventType.PUBLISHERS', 'enum member', (), 'publishers'),
    E('janus_client.plugin_video_room', 'VideoRoomEventType.UNPUBLISHED', 'enum member', (), 'unpublished'),
    E('janus_client.plugin_video_room', 'VideoRoomEventType.LEAVING', 'enum member', (), 'leaving'),
    E('janus_client.plugin_video_room', 'VideoRoomEventType.DESTROYED', 'enum member', (), 'destroyed'),
    E('janus_client.plugin_video_room', 'VideoRoomEventType.CONFIGURED', 'enum member', (), 'configured'),
    E('janus_client.plugin_video_room', 'VideoRoomEventType.ATTACHED', 'enum member', (), 'attached'),
    E('janus_client.plugin_video_room', 'VideoRoomEventType.UPDATED', 'enum member', (), 'updated'),
    E('janus_client.plugin_video_room', 'VideoRoomEventType.STARTED', 'enum member', (), 'started'),
    E('janus_client.plugin_video_room', 'VideoRoomEventType.SWITCHED', 'enum member', (), 'switched'),
    E('janus_client.plugin_video_room', 'VideoRoomEventType.TALKING', 'enum member', (), 'talking'),
    E('janus_client.plugin_video_room', 'VideoRoomEventType.STOPPED_TALKING', 'enum member', (), 'stopped-talking'),
    E('janus_client.plugin_video_room', 'VideoRoomEventType.ERROR', 'enum member', (), 'error'),
    E('janus_client.plugin_video_room', 'ParticipantType', 'class', (), ''),
    E('janus_client.plugin_video_room', 'ParticipantType.PUBLISHER', 'enum member', (), 'publisher'),
    E('janus_client.plugin_video_room', 'ParticipantType.SUBSCRIBER', 'enum member', (), 'subscriber'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin', 'class', (), ''),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.name', 'attribute', (), ''),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.__init__', 'method', ('**kwargs',), ''),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.on_receive', 'async method', ('response',), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.on_event', 'method', ('event_type', 'handler'), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.create_room', 'async method', ('room_id', 'description', 'secret', 'pin', 'is_private', 'publishers', 'bitrate', 'fir_freq', 'audiocodec', 'videocodec', 'record', 'rec_dir', 'permanent', 'admin_key', 'timeout', '**kwargs'), 'int'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.destroy_room', 'async method', ('room_id', 'secret', 'permanent', 'timeout'), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.list_rooms', 'async method', ('admin_key', 'timeout'), 'list'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.list_participants', 'async method', ('room_id', 'timeout'), 'list'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.exists', 'async method', ('room_id', 'timeout'), 'bool'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.join_as_publisher', 'async method', ('room_id', 'publisher_id', 'display', 'token', 'timeout'), 'dict'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.publish', 'async method', ('player', 'audiocodec', 'videocodec', 'bitrate', 'record', 'filename', 'descriptions', 'trickle', 'timeout'), 'dict'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.unpublish', 'async method', ('timeout',), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.configure', 'async method', ('bitrate', 'keyframe', 'record', 'filename', 'display', 'streams', 'descriptions', 'timeout'), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.subscribe_to_publisher', 'async method', ('room_id', 'streams', 'recorder', 'private_id', 'use_msid', 'autoupdate', 'trickle', 'timeout'), 'dict'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.start', 'async method', ('trickle', 'timeout'), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.pause', 'async method', ('timeout',), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.subscribe', 'async method', ('streams', 'timeout'), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.unsubscribe', 'async method', ('streams', 'timeout'), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.switch_publisher', 'async method', ('streams', 'timeout'), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.leave', 'async method', ('timeout',), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.kick_participant', 'async method', ('room_id', 'participant_id', 'secret', 'timeout'), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.moderate_participant', 'async method', ('room_id', 'participant_id', 'mid', 'mute', 'secret', 'timeout'), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.destroy', 'async method', (), 'None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.room_id', 'property', (), 'int | None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.publisher_id', 'property', (), 'int | None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.private_id', 'property', (), 'int | None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.display_name', 'property', (), 'str | None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.participant_type', 'property', (), 'ParticipantType | None'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.is_publishing', 'property', (), 'bool'),
    E('janus_client.plugin_video_room', 'JanusVideoRoomPlugin.webrtcup_event', 'property', (), 'Event'),
    E('janus_client.session', 'PluginAttachFail', 'class', (), ''),
    E('janus_client.session', 'PluginAttachFail.__init__', 'method', ('response',), ''),
    E('janus_client.session', 'JanusSession', 'class', (), ''),
    E('janus_client.session', 'JanusSession.__init__', 'method', ('base_url', 'api_secret', 'token', 'transport'), ''),
    E('janus_client.session', 'JanusSession.create', 'async method', (), 'None'),
    E('janus_client.session', 'JanusSession.destroy', 'async method', (), 'None'),
    E('janus_client.session', 'JanusSession.send', 'async method', ('message', 'handle_id'), 'MessageTransaction'),
    E('janus_client.session', 'JanusSession.keepalive', 'async method', (), 'None'),
    E('janus_client.session', 'JanusSession.on_receive', 'async method', ('response',), 'None'),
    E('janus_client.session', 'JanusSession.attach_plugin', 'async method', ('plugin',), 'int'),
    E('janus_client.session', 'JanusSession.detach_plugin', 'method', ('plugin_handle',), 'None'),
    E('janus_client.transport', 'JanusTransport', 'class', (), ''),
    E('janus_client.transport', 'JanusTransport._send', 'async method', ('message',), 'None'),
    E('janus_client.transport', 'JanusTransport._connect', 'async method', (), 'None'),
    E('janus_client.transport', 'JanusTransport._disconnect', 'async method', (), 'None'),
    E('janus_client.transport', 'JanusTransport.info', 'async method', (), 'dict'),
    E('janus_client.transport', 'JanusTransport.ping', 'async method', (), 'dict'),
    E('janus_client.transport', 'JanusTransport.dispatch_session_created', 'async method', ('session_id',), 'None'),
    E('janus_client.transport', 'JanusTransport.dispatch_session_destroyed', 'async method', ('session_id',), 'None'),
    E('janus_client.transport', 'JanusTransport.__init__', 'method', ('base_url', 'api_secret', 'token', '**kwargs'), ''),
    E('janus_client.transport', 'JanusTransport.base_url', 'property', (), 'str'),
    E('janus_client.transport', 'JanusTransport.connect', 'async method', (), 'None'),
    E('janus_client.transport', 'JanusTransport.disconnect', 'async method', (), 'None'),
    E('janus_client.transport', 'JanusTransport.send', 'async method', ('message', 'session_id', 'handle_id'), 'MessageTransaction'),
    E('janus_client.transport', 'JanusTransport.receive', 'async method', ('response',), 'None'),
    E('janus_client.transport', 'JanusTransport.create_session', 'async method', ('session',), 'int'),
    E('janus_client.transport', 'JanusTransport.destroy_session', 'async method', ('session_id',), 'None'),
    E('janus_client.transport', 'JanusTransport.register_transport', 'staticmethod', ('protocol_matcher', 'transport_cls'), 'None'),
    E('janus_client.transport', 'JanusTransport.create_transport', 'staticmethod', ('base_url', 'api_secret', 'token', 'config'), 'JanusTransport'),
    E('janus_client.transport_http', 'ReceiverTask', 'class', (), ''),
    E('janus_client.transport_http', 'JanusTransportHTTP', 'class', (), ''),
    E('janus_client.transport_http', 'JanusTransportHTTP.__init__', 'method', ('base_url', 'api_secret', 'token', '**kwargs'), ''),
    E('janus_client.transport_http', 'JanusTransportHTTP._connect', 'async method', (), 'None'),
    E('janus_client.transport_http', 'JanusTransportHTTP._disconnect', 'async method', (), 'None'),
    E('janus_client.transport_http', 'JanusTransportHTTP.info', 'async method', (), 'dict'),
    E('janus_client.transport_http', 'JanusTransportHTTP._send', 'async method', ('message',), 'None'),
    E('janus_client.transport_http', 'JanusTransportHTTP.session_receive_response_done_cb', 'method', ('task', 'context'), 'None'),
    E('janus_client.transport_http', 'JanusTransportHTTP.session_receive_response', 'async method', ('session_id', 'destroyed_event'), 'None'),
    E('janus_client.transport_http', 'JanusTransportHTTP.dispatch_session_created', 'async method', ('session_id',), 'None'),
    E('janus_client.transport_http', 'JanusTransportHTTP.dispatch_session_destroyed', 'async method', ('session_id',), 'None'),
    E('janus_client.transport_http', 'protocol_matcher', 'function', ('base_url',), 'bool'),
    E('janus_client.transport_websocket', 'JanusTransportWebsocket', 'class', (), ''),
    E('janus_client.transport_websocket', 'JanusTransportWebsocket.__init__', 'method', ('**kwargs',), ''),
    E('janus_client.transport_websocket', 'JanusTransportWebsocket._connect', 'async method', ('**kwargs',), 'None'),
    E('janus_client.transport_websocket', 'JanusTransportWebsocket._disconnect', 'async method', (), 'None'),
    E('janus_client.transport_websocket', 'JanusTransportWebsocket.receive_message_done_cb', 'method', ('task', 'context'), 'None'),
    E('janus_client.transport_websocket', 'JanusTransportWebsocket.receive_message', 'async method', (), 'None'),
    E('janus_client.transport_websocket', 'JanusTransportWebsocket._send', 'async method', ('message',), 'None'),
    E('janus_client.transport_websocket', 'protocol_matcher', 'function', ('base_url',), 'bool'),
    E('janus_client.media', 'PlayerStreamTrack.kind', 'instance attribute', (), ''),
    E('janus_client.plugin_textroom', 'TextRoomError.error_code', 'instance attribute', (), ''),
    E('janus_client.plugin_textroom', 'TextRoomError.error_message', 'instance attribute', (), ''),
    E('janus_client.plugin_video_call', 'VideoCallError.error_code', 'instance attribute', (), ''),
    E('janus_client.plugin_video_call', 'VideoCallError.error_message', 'instance attribute', (), ''),
    E('janus_client.plugin_video_room', 'VideoRoomError.error_code', 'instance attribute', (), ''),
    E('janus_client.plugin_video_room', 'VideoRoomError.error_message', 'instance attribute', (), ''),
    E('janus_client.session', 'JanusSession.created', 'instance attribute', (), ''),
    E('janus_client.session', 'JanusSession.plugin_handles', 'instance attribute', (), ''),
    E('janus_client.session', 'JanusSession.transport', 'instance attribute', (), ''),
    E('janus_client.transport', 'JanusTransport.connected', 'instance attribute', (), ''),
    E('janus_client.transport_http', 'ReceiverTask.task', 'instance attribute', (), ''),
    E('janus_client.transport_http', 'ReceiverTask.destroyed_event', 'instance attribute', (), ''),
    E('janus_client.transport_websocket', 'JanusTransportWebsocket.connected', 'instance attribute', (), ''),
    E('janus_client.transport_websocket', 'JanusTransportWebsocket.receive_message_task', 'instance attribute', (), ''),
    E('janus_client.transport_websocket', 'JanusTransportWebsocket.receive_message_task_started', 'instance attribute', (), ''),
    E('janus_client.transport_websocket', 'JanusTransportWebsocket.receiving_message', 'instance attribute', (), ''),
    E('janus_client.transport_websocket', 'JanusTransportWebsocket.subprotocol', 'instance attribute', (), ''),
    E('janus_client.transport_websocket', 'JanusTransportWebsocket.ws', 'instance attribute', (), ''),
)

#: Keywords 0.9.0 code passed where a 0.9.0 signature said ``**kwargs``.
KWARGS_AS: dict[str, tuple[str, ...]] = {
    "JanusEchoTestPlugin.__init__": ("pc_config",),
    "JanusTextRoomPlugin.__init__": ("pc_config",),
    "JanusVideoCallPlugin.__init__": ("pc_config",),
    "JanusVideoRoomPlugin.__init__": ("pc_config",),
    "JanusTransportWebsocket.__init__": ("base_url", "api_secret", "token", "subprotocol"),
    "JanusTransportHTTP.__init__": ("base_url", "api_secret", "token", "subprotocol"),
    "JanusTransport.__init__": ("base_url", "api_secret", "token"),
}

#: The new API's equivalent of 0.9.0 names whose new form differs (others: unchanged).
NEW_API: dict[str, str] = {
    "JanusSession.send": "`JanusSession.request()` returns the reply and raises typed errors",
    "JanusSession.create": "same; returns the session id",
    "JanusSession.keepalive": "automatic (one keepalive loop per transport); "
    "`keepalive()` sends one now",
    "JanusSession.on_receive": "`session.events()` / `session.on_event()` (typed events)",
    "JanusSession.attach_plugin": "`await plugin.attach(session)` or `session.attach(plugin)`",
    "JanusSession.detach_plugin": "`await plugin.destroy()` (also detaches on the server)",
    "PluginAttachFail": "the base of `PluginNotFoundError` (460), `PluginAttachError` (461) "
    "and every error answered to an attach",
    "PluginAttachFail.__init__": "raised by the library; `PluginAttachFail(response)` still works",
    "JanusTransport.send": "`JanusSession.request()` / `JanusHandle.send()`",
    "JanusTransport.receive": "`_receive()` (raw data) inside new transports",
    "JanusTransport._connect": "`_open()` in new transports (the default runs `_connect`)",
    "JanusTransport._disconnect": "`_close_connection()` in new transports",
    "JanusTransport.disconnect": "`close()` for good; `disconnect()` keeps it reusable",
    "JanusTransport.ping": "`JanusSession.ping()` returns the round-trip time",
    "JanusTransport.info": "`JanusSession.info()`",
    "JanusTransport.create_session": "`JanusSession.create()`",
    "JanusTransport.destroy_session": "`JanusSession.destroy()`",
    "JanusTransport.dispatch_session_created": "`_session_added()` hook",
    "JanusTransport.dispatch_session_destroyed": "`_session_removed()` hook",
    "JanusTransport.register_transport": "`register_transport(cls)` with `cls.schemes` "
    "(also a class decorator)",
    "JanusTransport.create_transport": "same (keyword arguments instead of `config`)",
    "JanusTransportHTTP.session_receive_response": "the transport's own long-poll "
    "(started when a session expects events)",
    "JanusTransportHTTP.session_receive_response_done_cb": "(internal)",
    "JanusTransportWebsocket.receive_message": "the transport's own reader task",
    "JanusTransportWebsocket.receive_message_done_cb": "(internal)",
    "ReceiverTask": "(internal)",
    "protocol_matcher": "`schemes` class attribute",
    "JanusPlugin.send": "`plugin.message(body, jsep)` returns a typed `PluginResponse`",
    "JanusPlugin.on_receive": "`plugin.events()` / `plugin.on_event()` (typed events)",
    "JanusPlugin.pc": "`plugin.peer` (a `JanusPeerConnection`: tracks, data, stats)",
    "JanusPlugin.reset_connection": "a new call creates a new peer connection",
    "JanusPlugin.create_jsep": "`JanusPeerConnection.create_offer()` returns the JSEP",
    "JanusPlugin.on_receive_jsep": "`JanusPeerConnection.apply(jsep)`",
    "JanusPlugin.trickle": "`JanusHandle.trickle()`",
    "JanusPlugin.id": "same (`plugin.handle.handle_id`)",
    "MessageTransaction": "`TransactionTable` inside the library",
    "is_subset": "typed replies (`PluginResponse.data`)",
    "MediaPlayer": "`janus_client.webrtc.MediaPlayer` (aiortc's player)",
    "MediaPlayer.stream_tracks": "`player.audio`, `player.video`",
    "PlayerStreamTrack": "aiortc tracks (`janus_client.webrtc`)",
    "stream_media": "aiortc's player thread",
    "JanusEchoTestPlugin.start": "same, returns the plugin's event; more settings",
    "JanusEchoTestPlugin.on_receive": "typed events",
    "JanusVideoCallPlugin.on_receive": "typed events",
    "JanusVideoRoomPlugin.on_receive": "typed events",
    "JanusTextRoomPlugin.on_receive": "typed events",
    "JanusTextRoomPlugin.send_wrapper": "`plugin.request(body)`",
    "JanusTextRoomPlugin.check_error_in_response": "typed `TextRoomError` raised by every call",
    "JanusAdminMonitorClient.send_wrapper": "`admin.send(request, ...)`",
}


def _split(name: str) -> tuple[str, str | None]:
    owner, _, member = name.partition(".")
    return owner, (member or None)


_ANNOTATION_BASE = {
    "dict": "dict",
    "Dict": "dict",
    "Mapping": "dict",
    "list": "list",
    "List": "list",
    "Sequence": "list",
    "None": "None",
    "int": "int",
    "bool": "bool",
    "str": "str",
}


def _kind_of_annotation(annotation: Any) -> str:
    if annotation is inspect.Signature.empty:
        return "any"
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    text = str(text).replace("Optional[", "").strip()
    parts = []
    for part in re.split(r"\s*\|\s*", text):
        base = part.split("[")[0].strip().strip("'\"").split(".")[-1]
        parts.append(_ANNOTATION_BASE.get(base, base))
    return " | ".join(parts)


#: Return kinds accepted for a 0.9.0 kind, each with the reason it is compatible.
COMPATIBLE_RETURNS: dict[tuple[str, str], str] = {
    ("int", "RoomId"): "room ids are ints as in 0.9.x (str only when Janus is set to string ids)",
    ("int | None", "RoomId | None"): "room ids are ints as in 0.9.x",
    ("dict", "ServerInfo"): "reads like the raw reply: info['version'], info.get(...)",
}


def _returns_ok(expected: str, annotation: Any) -> bool:
    if expected in ("", "None", "any"):
        return True
    actual = _kind_of_annotation(annotation)
    return actual == expected or (expected, actual) in COMPATIBLE_RETURNS


def _params_ok(entry: Entry, func: Any) -> str | None:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return "signature not readable"
    params = list(signature.parameters.values())
    if params and params[0].name in ("self", "cls") and not isinstance(func, staticmethod):
        params = params[1:]
    positional = [
        p.name
        for p in params
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    names = {p.name for p in params}
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
    var_pos = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params)
    expected = [p for p in entry.params if not p.startswith("*")]
    if positional[: len(expected)] != expected:
        return f"parameters {positional} do not start with 0.9.0's {expected}"
    if any(p.startswith("**") for p in entry.params) and not var_kw:
        accepted = KWARGS_AS.get(entry.name)
        if accepted is None:
            return "0.9.0 accepted **kwargs"
        missing = [k for k in accepted if k not in names]
        if missing:
            return f"keywords {missing} (0.9.0 **kwargs) not accepted"
    if any(p.startswith("*") and not p.startswith("**") for p in entry.params) and not var_pos:
        return "0.9.0 accepted *args"
    return None


def _has_instance_attribute(cls: type, name: str) -> bool:
    """Whether instances of ``cls`` have ``name``.

    That is a class member, an annotated field, or an attribute its constructors
    assign (``self.name = ...``).
    """
    if inspect.getattr_static(cls, name, None) is not None:
        return True
    pattern = re.compile(rf"self\.{re.escape(name)}\s*[:=]")
    for klass in cls.__mro__:
        if name in getattr(klass, "__annotations__", {}):
            return True
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        if pattern.search(source):
            return True
    return False


def check(entry: Entry) -> str | None:
    """Return what is wrong with ``entry`` in this package, or None if it matches."""
    try:
        module = importlib.import_module(entry.module)
    except ImportError as exc:
        return f"module {entry.module} cannot be imported: {exc}"
    owner_name, member = _split(entry.name)
    if entry.kind == "export":
        try:
            source = importlib.import_module(entry.returns)
        except ImportError as exc:
            return f"module {entry.returns} cannot be imported: {exc}"
        if not hasattr(module, owner_name):
            return "missing"
        if getattr(module, owner_name) is not getattr(source, owner_name, None):
            return f"not the same object as {entry.returns}.{owner_name}"
        return None
    owner = getattr(module, owner_name, None)
    if owner is None:
        return "missing"
    if member is None:
        if entry.kind == "class" and not inspect.isclass(owner):
            return "not a class"
        if entry.kind in ("function", "async function"):
            if not callable(owner):
                return "not callable"
            if (entry.kind == "async function") != inspect.iscoroutinefunction(owner):
                return "coroutine function or not, unlike 0.9.0"
            problem = _params_ok(entry, owner)
            if problem:
                return problem
            if not _returns_ok(entry.returns, inspect.signature(owner).return_annotation):
                return f"returns {_kind_of_annotation(inspect.signature(owner).return_annotation)}"
        return None
    if entry.kind == "enum member":
        value = getattr(owner, member, None)
        if not isinstance(value, enum.Enum):
            return "missing enum member"
        if value.value != entry.returns:
            return f"value {value.value!r}, 0.9.0 had {entry.returns!r}"
        return None
    if entry.kind == "instance attribute":
        return None if _has_instance_attribute(owner, member) else "missing"
    raw = inspect.getattr_static(owner, member, None)
    if raw is None:
        if entry.kind == "attribute" and member in getattr(owner, "__annotations__", {}):
            return None
        return "missing"
    if entry.kind == "attribute":
        return None
    if entry.kind == "property":
        if isinstance(raw, property):
            if raw.fget is None:
                return "property not readable"
            annotation = inspect.signature(raw.fget).return_annotation
            if not _returns_ok(entry.returns, annotation):
                return f"returns {_kind_of_annotation(annotation)}"
            return None
        return None if not callable(raw) else "a method, 0.9.0 had a property"
    func = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
    if not callable(func):
        return "not callable"
    is_async = inspect.iscoroutinefunction(func)
    if entry.kind == "async method" and not is_async:
        return "not a coroutine method"
    if entry.kind in ("method", "staticmethod") and is_async:
        return "a coroutine method, 0.9.0 had a plain one"
    if entry.kind == "staticmethod" and not isinstance(raw, (staticmethod, classmethod)):
        return "must be callable on the class"
    problem = _params_ok(entry, func if isinstance(raw, classmethod) else raw)
    if problem:
        return problem
    annotation = inspect.signature(func).return_annotation
    if member != "__init__" and not _returns_ok(entry.returns, annotation):
        return f"returns {_kind_of_annotation(annotation)}, 0.9.0 returned {entry.returns}"
    return None


def problems() -> list[str]:
    """Every entry of `SURFACE` this package does not match, as ``"module:name: why"``."""
    found = []
    for entry in SURFACE:
        problem = check(entry)
        if problem is not None:
            found.append(f"{entry.module}:{entry.name}: {problem}")
    return found


def _new_api(entry: Entry) -> str:
    owner, member = _split(entry.name)
    key = entry.name if member else owner
    if key in NEW_API:
        return NEW_API[key]
    if member and f"JanusPlugin.{member}" in NEW_API and entry.kind != "attribute":
        return NEW_API[f"JanusPlugin.{member}"]
    return "unchanged"


def contract_markdown() -> str:
    """Render the table of the 0.9.0 surface, module by module, with new-API equivalents."""
    lines: list[str] = []
    current = None
    modules = list(dict.fromkeys(entry.module for entry in SURFACE))
    ordered = sorted(SURFACE, key=lambda entry: modules.index(entry.module))  # stable
    for entry in ordered:
        if entry.module != current:
            current = entry.module
            lines += [
                "",
                f"### `{current}`",
                "",
                "| 0.9.0 name | kind | parameters | returns | new API |",
                "| --- | --- | --- | --- | --- |",
            ]
        params = ", ".join(entry.params) if entry.params else ""
        if entry.kind == "export":
            returns = f"from `{entry.returns}`"
        elif entry.kind == "enum member":
            returns = f"`{entry.returns!r}`"
        else:
            kinds = str(entry.returns).replace(" | ", " or ")
            returns = f"`{kinds}`" if entry.returns else ""
        params_txt = f"`{params}`" if params else ""
        lines.append(
            f"| `{entry.name}` | {entry.kind} | {params_txt} | {returns} | {_new_api(entry)} |"
        )
    return "\n".join(lines) + "\n"
