# SPDX-License-Identifier: Apache-2.0
"""Vaults and vault access: CRUD, versions, permissions, revocation."""
from sesame_api import (PERM, PERM_ALL, PERM_READ, add_member, create_account, error_code,
                        item_doc, new_id, rand, vault_doc)


def test_vault_crud(sesamed):
    acct = create_account(sesamed)
    api = acct.api
    doc = vault_doc(acct.user_id)
    vid = doc["vault_id"]
    st, v = api.post("/v1/vaults", doc)
    assert st == 201
    assert v["id"] == vid and v["type"] == "user_created"
    assert v["encrypted_attrs"] == doc["encrypted_attrs"]
    assert (v["attribute_version"], v["items"], v["permissions"]) == (1, 0, PERM_ALL)
    assert v["keys"] == [{"via": "direct", "sealed_key": doc["access"][0]["sealed_key"]}]
    assert v["created_by"] == acct.user_id
    st, again = api.post("/v1/vaults", doc)
    assert (st, error_code(again)) == (409, "already_exists")

    st, listed = api.get("/v1/vaults")
    assert st == 200
    ids = {x["id"]: x for x in listed["vaults"]}
    assert set(ids) == {vid, acct.personal_vault, acct.everyone_vault}
    assert {k["via"] for k in ids[acct.everyone_vault]["keys"]} == {"group"}
    assert api.get(f"/v1/vaults/{vid}")[1] == v

    new_attrs = rand(70)
    st, v2 = api.patch(f"/v1/vaults/{vid}", {"encrypted_attrs": new_attrs,
                                               "attribute_version": 2})
    assert st == 200 and v2["attribute_version"] == 2 and v2["encrypted_attrs"] == new_attrs
    # A stale writer: 409, nothing lost.
    st, body = api.patch(f"/v1/vaults/{vid}", {"encrypted_attrs": rand(70),
                                                 "attribute_version": 2})
    assert (st, error_code(body)) == (409, "conflict")
    assert api.get(f"/v1/vaults/{vid}")[1]["encrypted_attrs"] == new_attrs

    st, acc = api.get(f"/v1/vaults/{vid}/access")
    assert acc == {"access": [{"principal_id": acct.user_id, "principal_type": "user",
                               "permissions": PERM_ALL}]}
    assert api.delete(f"/v1/vaults/{vid}")[0] == 204
    st, body = api.get(f"/v1/vaults/{vid}")
    assert (st, error_code(body)) == (404, "vault_not_found")
    # The built-in vaults cannot be deleted.
    for b in (acct.personal_vault, acct.everyone_vault):
        st, body = api.delete(f"/v1/vaults/{b}")
        assert (st, error_code(body)) == (403, "forbidden")


def test_vault_create_rules(sesamed):
    acct = create_account(sesamed)
    doc = vault_doc(acct.user_id)
    doc["access"][0]["permissions"] = PERM_READ  # creator without manage_vault
    st, body = acct.api.post("/v1/vaults", doc)
    assert st == 400 and "manage_vault" in body["error"]["message"]
    doc = vault_doc(acct.user_id, [{"principal_id": new_id(), "sealed_key": rand(80),
                                    "permissions": PERM_READ}])
    st, body = acct.api.post("/v1/vaults", doc)
    assert (st, error_code(body)) == (404, "principal_not_found")
    doc = vault_doc(acct.user_id, [{"principal_id": acct.groups["team_members"],
                                    "sealed_key": rand(80),
                                    "permissions": PERM["export_items"] | PERM_READ}])
    st, body = acct.api.post("/v1/vaults", doc)
    assert (st, error_code(body)) == (400, "invalid_permissions")
    assert body["error"]["message"] == \
        "permission 'export_items' requires 'view_item_history'"
    # None of the refused vaults exists.
    assert len(acct.api.get("/v1/vaults")[1]["vaults"]) == 2


def test_member_permissions_and_revoke(sesamed):
    acct = create_account(sesamed)
    bob = add_member(acct)
    # Bob sees the everyone vault (via team members) and his personal vault, not Ann's.
    st, listed = bob.api.get("/v1/vaults")
    assert {v["id"] for v in listed["vaults"]} == {acct.everyone_vault, bob.personal_vault}
    st, body = bob.api.get(f"/v1/vaults/{acct.personal_vault}")
    assert (st, error_code(body)) == (404, "vault_not_found")
    # Team members cannot manage the everyone vault.
    st, body = bob.api.get(f"/v1/vaults/{acct.everyone_vault}/access")
    assert (st, error_code(body)) == (403, "forbidden")
    assert "'manage_vault'" in body["error"]["message"]

    doc = vault_doc(acct.user_id)
    vid = doc["vault_id"]
    assert acct.api.post("/v1/vaults", doc)[0] == 201
    st, body = bob.api.get(f"/v1/vaults/{vid}")
    assert (st, error_code(body)) == (404, "vault_not_found")
    # Grant Bob view only.
    grant = {"sealed_key": rand(80), "permissions": PERM_READ}
    st, body = acct.api.put(f"/v1/vaults/{vid}/access/{bob.user_id}", grant)
    assert st == 200 and body["permissions"] == PERM_READ
    st, v = bob.api.get(f"/v1/vaults/{vid}")
    assert st == 200 and v["permissions"] == PERM_READ
    assert v["keys"] == [{"via": "direct", "sealed_key": grant["sealed_key"]}]
    it = item_doc()
    assert acct.api.post(f"/v1/vaults/{vid}/items", it)[0] == 201
    assert bob.api.get(f"/v1/vaults/{vid}/items/{it['id']}")[0] == 200
    st, body = bob.api.post(f"/v1/vaults/{vid}/items", item_doc())
    assert (st, error_code(body)) == (403, "forbidden")
    assert "'create_items'" in body["error"]["message"]
    st, body = bob.api.delete(f"/v1/vaults/{vid}")
    assert (st, error_code(body)) == (403, "forbidden")
    # A grant with a missing dependency is refused with its name.
    st, body = acct.api.put(f"/v1/vaults/{vid}/access/{bob.user_id}",
                            {"sealed_key": rand(80), "permissions": PERM["edit_items"] | 32})
    assert st == 400 and body["error"]["message"] == \
        "permission 'edit_items' requires 'view_and_copy_passwords'"
    # Revoke: the very next request is refused.
    assert acct.api.delete(f"/v1/vaults/{vid}/access/{bob.user_id}")[0] == 204
    st, body = bob.api.get(f"/v1/vaults/{vid}/items/{it['id']}")
    assert (st, error_code(body)) == (404, "vault_not_found")
    st, body = acct.api.delete(f"/v1/vaults/{vid}/access/{bob.user_id}")
    assert st == 404
    # Access through a group counts, and is OR'ed with direct access.
    st, _ = acct.api.put(f"/v1/vaults/{vid}/access/{acct.groups['team_members']}",
                         {"sealed_key": rand(80), "permissions": PERM["view_items"]})
    assert st == 200
    st, v = bob.api.get(f"/v1/vaults/{vid}")
    assert st == 200 and v["permissions"] == PERM["view_items"]
    assert v["keys"][0]["via"] == "group"
    assert bob.api.get(f"/v1/vaults/{vid}/items")[0] == 200
    st, body = bob.api.get(f"/v1/vaults/{vid}/items/{it['id']}")
    assert st == 403  # reading secrets needs view_and_copy_passwords too
    acct.api.put(f"/v1/vaults/{vid}/access/{bob.user_id}",
                 {"sealed_key": rand(80), "permissions": PERM["view_and_copy_passwords"] | 32})
    assert bob.api.get(f"/v1/vaults/{vid}/items/{it['id']}")[0] == 200


def test_personal_vault_rules(sesamed):
    acct = create_account(sesamed)
    bob = add_member(acct)
    st, body = acct.api.put(f"/v1/vaults/{acct.personal_vault}/access/{bob.user_id}",
                            {"sealed_key": rand(80), "permissions": PERM_READ})
    assert (st, error_code(body)) == (403, "forbidden")
    # Even an owner cannot reach another person's personal vault.
    st, body = acct.api.get(f"/v1/vaults/{bob.personal_vault}")
    assert (st, error_code(body)) == (404, "vault_not_found")
    st, v = bob.api.get(f"/v1/vaults/{bob.personal_vault}")
    assert st == 200 and v["type"] == "personal"
