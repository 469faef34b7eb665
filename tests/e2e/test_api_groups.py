# SPDX-License-Identifier: Apache-2.0
"""Groups: create, members, delete; access through a group follows membership at once."""
from sesame_api import (PERM_READ, add_member, create_account, error_code, item_doc, new_id,
                        rand, vault_doc)


def test_groups_and_membership(sesamed):
    acct = create_account(sesamed)
    bob = add_member(acct)
    gid = new_id()
    body = {"group_id": gid, "name": "Ops", "description": "on call",
            "box_public_key": rand(), "sign_public_key": rand(), "members": []}
    st, g = bob.api.post("/v1/groups", body)
    assert (st, error_code(g)) == (403, "forbidden")
    st, g = acct.api.post("/v1/groups", body)
    assert st == 201
    assert (g["id"], g["name"], g["description"], g["type"]) == (gid, "Ops", "on call",
                                                                   "user_defined")
    assert acct.api.post("/v1/groups", body)[0] == 409

    # A vault shared with the group only.
    vdoc = vault_doc(acct.user_id, [{"principal_id": gid, "sealed_key": rand(80),
                                     "permissions": PERM_READ}])
    vid = vdoc["vault_id"]
    assert acct.api.post("/v1/vaults", vdoc)[0] == 201
    it = item_doc()
    acct.api.post(f"/v1/vaults/{vid}/items", it)
    assert bob.api.get(f"/v1/vaults/{vid}")[0] == 404
    st, _ = acct.api.put(f"/v1/groups/{gid}/members/{bob.user_id}", {"sealed_keyset": rand(80)})
    assert st == 200
    st, mem = bob.api.get(f"/v1/groups/{gid}/members")
    assert st == 200 and [m["user_id"] for m in mem["members"]] == [bob.user_id]
    st, mine = bob.api.get("/v1/me/groups")
    assert gid in {x["group_id"] for x in mine["groups"]}
    st, v = bob.api.get(f"/v1/vaults/{vid}")
    assert st == 200 and v["keys"][0] == {"via": "group", "group_id": gid,
                                          "sealed_key": vdoc["access"][1]["sealed_key"]}
    assert bob.api.get(f"/v1/vaults/{vid}/items/{it['id']}")[0] == 200
    # Removing the member takes effect on the next request.
    assert acct.api.delete(f"/v1/groups/{gid}/members/{bob.user_id}")[0] == 204
    assert bob.api.get(f"/v1/vaults/{vid}/items/{it['id']}")[0] == 404
    assert acct.api.delete(f"/v1/groups/{gid}/members/{bob.user_id}")[0] == 404
    # Making Bob an administrator makes admin routes his at once.
    st, _ = acct.api.put(f"/v1/groups/{acct.groups['administrators']}/members/{bob.user_id}",
                         {"sealed_keyset": rand(80)})
    assert st == 200
    st, _ = bob.api.post("/v1/users/invite", {"user_id": new_id(), "email": "z@example.com"})
    assert st == 201
    # Built-in groups stay; user-defined ones go, with their vault access.
    st, body = acct.api.delete(f"/v1/groups/{acct.groups['owners']}")
    assert (st, error_code(body)) == (403, "forbidden")
    assert acct.api.delete(f"/v1/groups/{gid}")[0] == 204
    assert acct.api.get(f"/v1/groups/{gid}")[0] == 404
    st, acc = acct.api.get(f"/v1/vaults/{vid}/access")
    assert [a["principal_id"] for a in acc["access"]] == [acct.user_id]
    st, body = acct.api.delete(f"/v1/groups/{acct.groups['owners']}/members/{acct.user_id}")
    assert st == 400
