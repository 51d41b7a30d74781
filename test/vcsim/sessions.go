package main

// Counting vCenter logins: every session the simulator creates, for the deploy benchmark (bench/deploy.js) and for
// any test that asks how often a run logs in.
//
// With VCSIM_SESSIONS_FILE set, each session created is appended to that file as one line, as it happens:
//   soap  a SOAP session (SessionManager.Login, LoginByToken, LoginExtensionByCertificate, CloneSession): the
//         simulator answers each of these, and only these, with a new vmware_soap_session cookie
//   rest  a vSphere Automation (REST) session: POST /rest/com/vmware/cis/session or /api/session answered 2xx
//         (a POST with ?~action=get reads a session, it creates none)
// A failed login creates no session and writes no line. The storage-policy (PBM) endpoint reuses the SOAP session's
// cookie and creates none. A reader counts lines between two points in time; the file is never truncated here.

import (
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
)

type sessionLog struct {
	mu   sync.Mutex
	file *os.File
}

func (l *sessionLog) add(kind string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.file.WriteString(kind + "\n")
}

// sessionRecorder sees the status and cookies of one response as the handler writes them.
type sessionRecorder struct {
	http.ResponseWriter
	status int
}

func (r *sessionRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *sessionRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func newSoapSession(h http.Header) bool {
	for _, c := range h.Values("Set-Cookie") {
		if strings.HasPrefix(c, soap.SessionCookieName+"=") {
			return true
		}
	}
	return false
}

func isRestLogin(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	q := r.URL.Query()
	if q.Has("~action") || q.Has("action") {
		return false
	}
	return strings.HasSuffix(r.URL.Path, "/com/vmware/cis/session") || r.URL.Path == "/api/session"
}

// countSessions wraps the started server's handler when VCSIM_SESSIONS_FILE is set; call it before the URL is
// printed (no client can have connected yet).
func countSessions(server *simulator.Server) {
	name := os.Getenv("VCSIM_SESSIONS_FILE")
	if name == "" {
		return
	}
	f, err := os.OpenFile(name, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		panic("VCSIM_SESSIONS_FILE: " + err.Error())
	}
	log := &sessionLog{file: f}
	next := server.Config.Handler
	server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &sessionRecorder{ResponseWriter: w}
		rest := isRestLogin(r)
		next.ServeHTTP(rec, r)
		switch {
		case rest && rec.status >= 200 && rec.status < 300:
			log.add("rest")
		case !rest && newSoapSession(w.Header()):
			log.add("soap")
		}
	})
}
