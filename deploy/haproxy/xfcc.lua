-- captoken's x-forwarded-client-cert, written by HAProxy from the client
-- certificate it verified (deploy/haproxy/haproxy.cfg, docs/deploy.md).
--
-- The server reads the caller from the last element of that header in
-- Envoy's format (service/authz/caller_identity.cc): each URI SAN as
-- URI="...", the subject as Subject="..." (RFC 2253), a SPIFFE ID winning
-- over the CN. HAProxy 2.6 (Debian 12) has a fetch for the subject but
-- none for subject alternative names, so the URIs are read here from the
-- certificate's DER. Every URI SAN is forwarded, not only the first: a
-- certificate with a SPIFFE ID among several URIs must reach the server as
-- such, to be refused there, never named by its CN instead.
--
-- The action always removes the header the caller sent, and sets one only
-- when it could read the certificate: if the DER does not parse, the
-- caller has no identity (and is refused wherever policies apply) rather
-- than a CN that a SPIFFE ID should have overridden.

-- One DER element at `pos`: its tag, first and last byte of its content,
-- and where the next element starts. Errors (caught below) on truncation.
local function element(der, pos)
  local tag, length = der:byte(pos, pos + 1)
  local content = pos + 2
  if length >= 0x80 then
    local bytes = length - 0x80
    assert(bytes >= 1 and bytes <= 4, "unsupported DER length")
    length = 0
    for i = 0, bytes - 1 do length = length * 256 + der:byte(content + i) end
    content = content + bytes
  end
  local last = content + length - 1
  assert(last <= #der, "truncated DER")
  return tag, content, last, last + 1
end

-- The elements inside the constructed element whose content is first..last.
local function children(der, first, last)
  local list, pos = {}, first
  while pos <= last do
    local tag, content, content_last, next_pos = element(der, pos)
    list[#list + 1] = { tag = tag, first = content, last = content_last }
    pos = next_pos
  end
  return list
end

local SUBJECT_ALT_NAME = "\x55\x1d\x11" -- OID 2.5.29.17
local TAG_EXTENSIONS = 0xa3             -- [3] EXPLICIT, in TBSCertificate
local TAG_URI = 0x86                    -- GeneralName [6] IMPLICIT IA5String

-- The certificate's URI SANs, in order.
local function uri_sans(der)
  local _, cert_first, cert_last = element(der, 1)
  local tbs = children(der, cert_first, cert_last)[1]
  local uris = {}
  for _, field in ipairs(children(der, tbs.first, tbs.last)) do
    if field.tag == TAG_EXTENSIONS then
      local _, list_first, list_last = element(der, field.first)
      for _, ext in ipairs(children(der, list_first, list_last)) do
        local parts = children(der, ext.first, ext.last)
        if der:sub(parts[1].first, parts[1].last) == SUBJECT_ALT_NAME then
          local value = parts[#parts] -- the OCTET STRING, after `critical`
          local _, names_first, names_last = element(der, value.first)
          for _, name in ipairs(children(der, names_first, names_last)) do
            if name.tag == TAG_URI then
              uris[#uris + 1] = der:sub(name.first, name.last)
            end
          end
        end
      end
    end
  end
  return uris
end

-- A quoted XFCC value: the server's parser honours \" and \\ inside quotes.
local function quoted(text)
  return '"' .. text:gsub('[\\"]', '\\%0') .. '"'
end

core.register_action("captoken_xfcc", { "http-req" }, function(txn)
  txn.http:req_del_header("x-forwarded-client-cert")
  -- A boolean fetch reaches Lua as the integer 1 or 0.
  local used = txn.f:ssl_c_used()
  if used ~= 1 and used ~= true then return end
  local ok, uris = pcall(uri_sans, txn.f:ssl_c_der())
  if not ok then
    core.Warning("captoken_xfcc: client certificate not parsed: " .. tostring(uris))
    return
  end
  -- The subject in RFC 2253 form ("CN=legacy-service,O=..."), as Envoy
  -- writes it and the server's CN parser expects.
  local parts = { "Subject=" .. quoted(txn.f:ssl_c_s_dn("", 0, "rfc2253") or "") }
  for _, uri in ipairs(uris) do parts[#parts + 1] = "URI=" .. quoted(uri) end
  txn.http:req_set_header("x-forwarded-client-cert", table.concat(parts, ";"))
end)
