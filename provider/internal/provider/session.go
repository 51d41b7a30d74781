package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

// connection is one provider instance's vCenter session: configured once, logged in on first use (a plan that
// touches no object of this provider never logs in), reused by every resource and data source of the instance,
// logged out when the plugin process ends (LogoutAll).
type connection struct {
	server   string
	user     string
	password string
	insecure bool
	// deferred: the configuration is unknown at plan time; checks that need vCenter wait for apply.
	deferred bool

	claims claimSet // permissions created through this instance (see permissionResource.Create)
	cache  lookups  // objects and roles looked up through this instance (cache.go)

	mu     sync.Mutex
	client *vim25.Client
	sm     *session.Manager
}

var (
	openMu      sync.Mutex
	openConns   []*connection
	loginsTotal atomic.Int64 // successful logins of this process (tests assert one per provider instance)
)

// sdkURL accepts what VSPHERE_SERVER holds for the vmware/vsphere provider (a host name, host:port) or a URL.
func sdkURL(server string) (*url.URL, error) {
	s := strings.TrimSpace(server)
	if s == "" {
		return nil, errors.New("no vCenter server: set vsphere_server in the provider block or VSPHERE_SERVER")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("vsphere_server %q is neither a host name nor an https URL", server)
	}
	if u.User != nil {
		return nil, errors.New("vsphere_server must not carry credentials: use vsphere_user/vsphere_password or VSPHERE_USER/VSPHERE_PASSWORD")
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/sdk"
	}
	return u, nil
}

// get returns the logged-in client, logging in the first time.
func (c *connection) get(ctx context.Context) (*vim25.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil {
		return c.client, nil
	}
	u, err := sdkURL(c.server)
	if err != nil {
		return nil, err
	}
	if c.user == "" || c.password == "" {
		return nil, errors.New("no vCenter credentials: set vsphere_user and vsphere_password in the provider block or VSPHERE_USER and VSPHERE_PASSWORD")
	}
	sc := soap.NewClient(u, c.insecure)
	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("connecting to vCenter %s: %w", u.Host, err)
	}
	sm := session.NewManager(vc)
	if err := sm.Login(ctx, url.UserPassword(c.user, c.password)); err != nil {
		// The error names the server and the user, never the password.
		return nil, fmt.Errorf("logging in to vCenter %s as %s: %w", u.Host, c.user, err)
	}
	loginsTotal.Add(1)
	c.client, c.sm = vc, sm
	openMu.Lock()
	openConns = append(openConns, c)
	openMu.Unlock()
	return vc, nil
}

func (c *connection) logout(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sm != nil {
		_ = c.sm.Logout(ctx)
	}
	c.client, c.sm = nil, nil
}

// LogoutAll ends every vCenter session this process opened.
func LogoutAll(ctx context.Context) {
	openMu.Lock()
	conns := openConns
	openConns = nil
	openMu.Unlock()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() { defer wg.Done(); c.logout(ctx) }()
	}
	wg.Wait()
}
