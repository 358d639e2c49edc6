from nio import SyncResponse
from .community import create_room, invite_and_join, send_text, WATCH_FILTER
from .helpers import MakeMember
from .synapse_server import SynapseServer


async def test_probe(synapse: SynapseServer, make_member: MakeMember) -> None:
    anna = await make_member("anna")
    dora = await make_member("dora")
    room_id = await create_room(anna)
    await invite_and_join(anna, room_id, dora)
    r = await dora.sync(timeout=1000, sync_filter=WATCH_FILTER)
    for i in range(120):
        await send_text(anna, room_id, f"m{i}")
    for f in (WATCH_FILTER, {"room": {"timeline": {"limit": 200}}}, {"room": {"timeline": {"limit": 50}}}):
        r2 = await dora.sync(timeout=1000, sync_filter=f, since=r.next_batch)
        assert isinstance(r2, SyncResponse)
        t = r2.rooms.join[room_id].timeline
        print(f, len(t.events), t.limited)
