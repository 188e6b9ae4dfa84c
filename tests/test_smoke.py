def test_ping_answers_pong(server):
    with server.client() as client:
        reply = client.get("/v1/system/ping")
    assert reply.status_code == 200
    assert reply.text == "pong"


def test_tenants_have_working_credentials(tenant_a, tenant_b):
    assert tenant_a.web.get("/v1/user/info").json()["data"]["email"] == tenant_a.email
    assert tenant_b.sdk.get("/api/v1/citeflow/whoami").json()["data"]["tenant_id"] == tenant_b.tenant_id
