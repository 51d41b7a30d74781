package main

// Privilege enforcement on the simulator's HTTP endpoints that do not go through the SOAP dispatcher, and vCenter's
// NoPermission fault string on the SOAP ones, /sdk and CNS's /vsanHealth (the dispatcher's hook answers faults with an
// empty faultstring).
//
// vSphere Automation (REST) tagging, /rest/com/vmware/cis/tagging/...: vCenter's tagging privileges are vCenter-wide
// (categories and tags are no inventory objects: their permissions are global permissions), so the simulator checks
// them on the root folder, where a propagating permission reaches every object:
//   POST   category (create)               InventoryService.Tagging.CreateCategory   root folder
//   PATCH  category/id:X                    InventoryService.Tagging.EditCategory     root folder
//   DELETE category/id:X                    InventoryService.Tagging.DeleteCategory   root folder
//   POST   tag (create)                    InventoryService.Tagging.CreateTag        root folder
//   PATCH  tag/id:X                         InventoryService.Tagging.EditTag          root folder
//   DELETE tag/id:X                         InventoryService.Tagging.DeleteTag        root folder
//   POST   tag-association/id:X ?~action=attach|detach|attach-tag-to-multiple-objects, tag-association
//          ?~action=attach-multiple-tags-to-object|detach-multiple-tags-from-object
//                                          InventoryService.Tagging.ObjectAttachable ("Assign or Unassign vSphere
//                                          Tag on Object") and System.Read on each object tagged
// A refused call is answered as vCenter's vAPI answers an unauthorized one: HTTP 403 with
// {"type":"com.vmware.vapi.std.errors.unauthorized","value":{"messages":[...]}}, the message naming privilege and
// object. Reads (GET, list-* actions) are not checked.
//
// Datastore file access, /folder/<path>?dcPath=..&dsName=.. (the vmware_soap_session cookie names the session): PUT,
// POST and DELETE need Datastore.FileManagement ("Low level file operations") on the datastore; GET needs
// Datastore.Browse. A refused request is answered 403 Forbidden; a request whose session the simulator has not seen
// (neither its login nor a later SOAP call) 401 Unauthorized.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/vmware/govmomi/cns"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	restPrefix    = "/rest/com/vmware/cis/"
	restSession   = "/rest/com/vmware/cis/session"
	restTagging   = "/rest/com/vmware/cis/tagging/"
	restSessionID = "vmware-api-session-id"
)

// bufferedResponse holds a whole response so that it can be read (session ids) or changed (fault strings).
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) sendTo(w http.ResponseWriter, body []byte) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(body)
}

// wrapHTTP installs the HTTP checks in front of the server's handler; call it before clients connect.
func (e *enforcement) wrapHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == restSession && r.Method == http.MethodPost && r.URL.Query().Get("~action") == "":
			e.restLogin(w, r, next)
		case strings.HasPrefix(r.URL.Path, restTagging):
			if e.restAllowed(w, r) {
				next.ServeHTTP(w, r)
			}
		case strings.HasPrefix(r.URL.Path, "/folder"):
			if e.datastoreAllowed(w, r) {
				next.ServeHTTP(w, r)
			}
		case r.URL.Path == "/sdk" || r.URL.Path == cns.Path:
			buf := &bufferedResponse{header: http.Header{}}
			next.ServeHTTP(buf, r)
			body := buf.body.Bytes()
			e.rememberLogin(buf, body)
			if buf.status == http.StatusInternalServerError && bytes.Contains(body, []byte("NoPermission")) {
				body = bytes.Replace(body, []byte("<faultstring></faultstring>"), []byte("<faultstring>"+noPermissionMessage+"</faultstring>"), 1)
			}
			buf.sendTo(w, body)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// rememberLogin records the user of a SOAP session the moment its login answers (the Set-Cookie of the new session
// and the UserSession's userName), so that datastore file access works right after a login, as on vCenter.
func (e *enforcement) rememberLogin(buf *bufferedResponse, body []byte) {
	if buf.status != http.StatusOK {
		return
	}
	for _, c := range (&http.Response{Header: buf.header}).Cookies() {
		if c.Name != soap.SessionCookieName {
			continue
		}
		start := bytes.Index(body, []byte("<userName>"))
		end := bytes.Index(body, []byte("</userName>"))
		if start < 0 || end < start {
			return
		}
		var user string
		if err := xml.Unmarshal(body[start:end+len("</userName>")], &user); err != nil {
			return
		}
		e.mu.Lock()
		e.soap[c.Value] = user
		e.mu.Unlock()
	}
}

// restLogin passes a vAPI login on and remembers the new session's user (basic authentication).
func (e *enforcement) restLogin(w http.ResponseWriter, r *http.Request, next http.Handler) {
	user, _, _ := r.BasicAuth()
	buf := &bufferedResponse{header: http.Header{}}
	next.ServeHTTP(buf, r)
	if buf.status >= 200 && buf.status < 300 && user != "" {
		var answer struct {
			Value string `json:"value"`
		}
		if json.Unmarshal(buf.body.Bytes(), &answer) == nil && answer.Value != "" {
			e.mu.Lock()
			e.rest[answer.Value] = user
			e.mu.Unlock()
		}
	}
	buf.sendTo(w, buf.body.Bytes())
}

func (e *enforcement) restUser(r *http.Request) (string, bool) {
	id := r.Header.Get(restSessionID)
	if id == "" {
		if c, err := r.Cookie(restSessionID); err == nil {
			id = c.Value
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	user, ok := e.rest[id]
	return user, ok
}

// restAllowed checks one tagging call; on refusal it answers and returns false.
func (e *enforcement) restAllowed(w http.ResponseWriter, r *http.Request) bool {
	user, known := e.restUser(r)
	if !known {
		return true // no session the simulator created by basic authentication: the vAPI handler answers 401 itself
	}
	if e.exempt(user) {
		return true
	}
	rest := strings.TrimPrefix(r.URL.Path, restTagging)
	kind, id, _ := strings.Cut(rest, "/")
	action := r.URL.Query().Get("~action")
	root := e.root()
	var needs []need
	switch {
	case kind == "category" && id == "" && r.Method == http.MethodPost && action == "":
		needs = []need{{root, "InventoryService.Tagging.CreateCategory"}}
	case kind == "category" && id != "" && r.Method == http.MethodPatch:
		needs = []need{{root, "InventoryService.Tagging.EditCategory"}}
	case kind == "category" && id != "" && r.Method == http.MethodDelete:
		needs = []need{{root, "InventoryService.Tagging.DeleteCategory"}}
	case kind == "tag" && id == "" && r.Method == http.MethodPost && action == "":
		needs = []need{{root, "InventoryService.Tagging.CreateTag"}}
	case kind == "tag" && id != "" && r.Method == http.MethodPatch:
		needs = []need{{root, "InventoryService.Tagging.EditTag"}}
	case kind == "tag" && id != "" && r.Method == http.MethodDelete:
		needs = []need{{root, "InventoryService.Tagging.DeleteTag"}}
	case kind == "tag-association" && r.Method == http.MethodPost:
		switch action {
		case "attach", "detach", "attach-tag-to-multiple-objects", "attach-multiple-tags-to-object", "detach-multiple-tags-from-object":
			raw, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return false
			}
			r.Body = io.NopCloser(bytes.NewReader(raw))
			var spec struct {
				ObjectID  *restObject  `json:"object_id"`
				ObjectIDs []restObject `json:"object_ids"`
			}
			_ = json.Unmarshal(raw, &spec)
			objects := spec.ObjectIDs
			if spec.ObjectID != nil {
				objects = append(objects, *spec.ObjectID)
			}
			for _, o := range objects {
				ref := types.ManagedObjectReference{Type: o.Type, Value: o.ID}
				needs = append(needs, need{ref, "System.Read"}, need{ref, "InventoryService.Tagging.ObjectAttachable"})
			}
		}
	}
	fault := e.check(user, needs)
	if fault == nil {
		return true
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type": "com.vmware.vapi.std.errors.unauthorized",
		"value": map[string]any{"messages": []map[string]any{{
			"id":              "vapi.security.authorization.invalid",
			"default_message": fmt.Sprintf("Unable to authorize user: %s lacks %s", user, e.describe(fault)),
			"args":            []string{user, fault.PrivilegeId, fault.Object.Type + ":" + fault.Object.Value},
		}}},
	})
	return false
}

type restObject struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// datastoreAllowed checks one datastore file request; on refusal it answers and returns false.
func (e *enforcement) datastoreAllowed(w http.ResponseWriter, r *http.Request) bool {
	cookie, err := r.Cookie(soap.SessionCookieName)
	user, known := "", false
	if err == nil {
		e.mu.Lock()
		user, known = e.soap[cookie.Value]
		e.mu.Unlock()
	}
	if !known {
		http.Error(w, "no session", http.StatusUnauthorized)
		return false
	}
	if e.exempt(user) {
		return true
	}
	ds, ok := e.datastoreOf(r)
	if !ok {
		return true // the simulator answers 404
	}
	priv := "Datastore.FileManagement"
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		priv = "Datastore.Browse"
	}
	if fault := e.check(user, []need{{ds, priv}}); fault != nil {
		http.Error(w, noPermissionMessage+" "+e.describe(fault), http.StatusForbidden)
		return false
	}
	return true
}

// datastoreOf finds the datastore of a /folder request by its dsName (and dcPath, the datacenter's inventory path).
func (e *enforcement) datastoreOf(r *http.Request) (types.ManagedObjectReference, bool) {
	q := r.URL.Query()
	name, dc := q.Get("dsName"), strings.Trim(q.Get("dcPath"), "/")
	for _, entity := range e.vim.All("Datastore") {
		if entity.Entity().Name != name {
			continue
		}
		if dc != "" && !e.under(entity, dc) {
			continue
		}
		return entity.Reference(), true
	}
	return types.ManagedObjectReference{}, false
}

// under: whether the entity's datacenter is named dc (last element of the datacenter path).
func (e *enforcement) under(entity mo.Entity, dc string) bool {
	if i := strings.LastIndex(dc, "/"); i >= 0 {
		dc = dc[i+1:]
	}
	for p := entity.Entity().Parent; p != nil; {
		parent, ok := e.vim.Get(*p).(mo.Entity)
		if !ok {
			return false
		}
		if p.Type == "Datacenter" {
			return parent.Entity().Name == dc
		}
		p = parent.Entity().Parent
	}
	return false
}
