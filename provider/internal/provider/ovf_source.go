package provider

import (
	"archive/tar"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// imageSource is an OVF package: a local .ovf with its files beside it, a local .ova (tar), or either over
// http(s). Every read takes the import's context, so a stalled server ends with the import's timeout.
type imageSource interface {
	// shown is what messages call the package (a URL without its query, or a path).
	shown() string
	descriptor(ctx context.Context) ([]byte, error)
	// open returns a file the descriptor references by href, and its size.
	open(ctx context.Context, href string) (io.ReadCloser, int64, error)
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// validateSource is the plan-time check of `source`.
func validateSource(s string) error {
	if isURL(s) {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return fmt.Errorf("%q is not a valid http(s) URL", s)
		}
		if u.User != nil {
			return errors.New("the source URL carries credentials (user-info): they would be stored in the Terraform state. " +
				"Serve the image from a location that needs none (or a signed URL whose token may be stored)")
		}
		if !strings.HasSuffix(strings.ToLower(u.Path), ".ova") && !strings.HasSuffix(strings.ToLower(u.Path), ".ovf") {
			return fmt.Errorf("the source URL path %q names neither an .ova nor an .ovf file", u.Path)
		}
		return nil
	}
	if strings.Contains(s, "://") {
		return fmt.Errorf("source %q: only http and https URLs and local paths are supported", s)
	}
	l := strings.ToLower(s)
	if !strings.HasSuffix(l, ".ova") && !strings.HasSuffix(l, ".ovf") {
		return fmt.Errorf("source %q names neither an .ova nor an .ovf file", s)
	}
	return nil
}

// sourceSecret is what a source URL needs that must not be stored: the write-only source_query and source_userinfo.
type sourceSecret struct {
	query    string
	userinfo string
}

func openSource(s string, insecure bool, secret sourceSecret) (imageSource, error) {
	if err := validateSource(s); err != nil {
		return nil, err
	}
	ova := strings.HasSuffix(strings.ToLower(s), ".ova")
	if !isURL(s) && (secret.query != "" || secret.userinfo != "") {
		return nil, errors.New("source_query and source_userinfo apply to an http(s) source only; the source is a local file")
	}
	if isURL(s) {
		u, _ := url.Parse(s)
		if secret.query != "" {
			u.RawQuery = strings.TrimPrefix(secret.query, "?")
		}
		if secret.userinfo != "" {
			user, pass, ok := strings.Cut(secret.userinfo, ":")
			if !ok || user == "" {
				return nil, errors.New("source_userinfo must be user:password")
			}
			u.User = url.UserPassword(user, pass)
		}
		ova = strings.HasSuffix(strings.ToLower(u.Path), ".ova")
		shown := *u
		shown.RawQuery, shown.Fragment = "", ""
		h := &httpGetter{client: httpClient(insecure)}
		if ova {
			return &ovaSource{name: shown.String(), openTar: func(ctx context.Context) (io.ReadCloser, error) {
				body, _, err := h.get(ctx, u, shown.String())
				return body, err
			}}, nil
		}
		return &remoteOVF{u: u, name: shown.String(), h: h}, nil
	}
	abs, err := filepath.Abs(s)
	if err != nil {
		return nil, err
	}
	if ova {
		return &ovaSource{name: abs, openTar: func(context.Context) (io.ReadCloser, error) { return os.Open(abs) }}, nil
	}
	return &localOVF{file: abs}, nil
}

func httpClient(insecure bool) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user's explicit choice
	}
	// No overall timeout: the import's context bounds every request, a large disk may take long.
	return &http.Client{Transport: t}
}

// plainName refuses a reference that is not a plain file name beside the descriptor.
func plainName(href, where string) (string, error) {
	if href == "" || href == "." || href == ".." || href != path.Base(href) || strings.Contains(href, "\\") || strings.Contains(href, ":") {
		return "", fmt.Errorf("%s references %q, which is not a plain file name beside it; refusing to read it", where, href)
	}
	return href, nil
}

type localOVF struct{ file string }

func (l *localOVF) shown() string { return l.file }

func (l *localOVF) descriptor(context.Context) ([]byte, error) {
	b, err := os.ReadFile(l.file)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", l.file, err)
	}
	return b, nil
}

func (l *localOVF) open(_ context.Context, href string) (io.ReadCloser, int64, error) {
	name, err := plainName(href, l.file)
	if err != nil {
		return nil, 0, err
	}
	p := filepath.Join(filepath.Dir(l.file), name)
	f, err := os.Open(p)
	if err != nil {
		return nil, 0, fmt.Errorf("%s references %s, which cannot be read beside it: %w", l.file, name, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

type httpGetter struct{ client *http.Client }

func (h *httpGetter) get(ctx context.Context, u *url.URL, shown string) (io.ReadCloser, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, err
	}
	res, err := h.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("downloading %s: %w", shown, redactErr(err, u))
	}
	if res.StatusCode != http.StatusOK {
		_ = res.Body.Close()
		return nil, 0, fmt.Errorf("downloading %s: HTTP %s", shown, res.Status)
	}
	return res.Body, res.ContentLength, nil
}

// redactErr keeps a URL's query (a signed URL's token) and user-info out of messages.
func redactErr(err error, u *url.URL) error {
	if u.RawQuery == "" && u.User == nil {
		return err
	}
	text := err.Error()
	if u.RawQuery != "" {
		text = strings.ReplaceAll(text, u.RawQuery, "<query>")
	}
	if u.User != nil {
		if pass, ok := u.User.Password(); ok && pass != "" {
			text = strings.ReplaceAll(text, pass, "<password>")
		}
		text = strings.ReplaceAll(text, u.User.String()+"@", "")
	}
	return errors.New(text)
}

type remoteOVF struct {
	u    *url.URL
	name string
	h    *httpGetter
}

func (r *remoteOVF) shown() string { return r.name }

func (r *remoteOVF) descriptor(ctx context.Context) ([]byte, error) {
	body, _, err := r.h.get(ctx, r.u, r.name)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", r.name, redactErr(err, r.u))
	}
	return b, nil
}

func (r *remoteOVF) open(ctx context.Context, href string) (io.ReadCloser, int64, error) {
	name, err := plainName(href, r.name)
	if err != nil {
		return nil, 0, err
	}
	ref, _ := url.Parse(url.PathEscape(name))
	u := r.u.ResolveReference(ref)
	u.RawQuery = r.u.RawQuery // a signed URL's token applies to the files beside the descriptor too
	shown := strings.TrimSuffix(r.name, path.Base(r.name)) + name
	body, size, err := r.h.get(ctx, u, shown)
	if err != nil {
		return nil, 0, err
	}
	if size < 0 {
		_ = body.Close()
		return nil, 0, fmt.Errorf("%s was served without a Content-Length; the NFC upload needs the size", shown)
	}
	return body, size, nil
}

type ovaSource struct {
	name    string
	openTar func(ctx context.Context) (io.ReadCloser, error)
}

func (o *ovaSource) shown() string { return o.name }

type tarEntry struct {
	io.Reader
	c io.Closer
}

func (t *tarEntry) Close() error { return t.c.Close() }

// find scans the tar for the first entry whose base name matches.
func (o *ovaSource) find(ctx context.Context, match func(string) bool) (io.ReadCloser, int64, string, error) {
	f, err := o.openTar(ctx)
	if err != nil {
		return nil, 0, "", err
	}
	r := tar.NewReader(f)
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			_ = f.Close()
			return nil, 0, "", fmt.Errorf("reading %s as an OVA (tar): %w", o.name, err)
		}
		if h.Typeflag == tar.TypeReg && match(path.Base(h.Name)) {
			return &tarEntry{Reader: r, c: f}, h.Size, path.Base(h.Name), nil
		}
	}
	_ = f.Close()
	return nil, 0, "", os.ErrNotExist
}

func (o *ovaSource) descriptor(ctx context.Context) ([]byte, error) {
	rc, _, _, err := o.find(ctx, func(n string) bool { return strings.HasSuffix(strings.ToLower(n), ".ovf") })
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s holds no .ovf descriptor: is it an OVA?", o.name)
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, 64<<20))
}

func (o *ovaSource) open(ctx context.Context, href string) (io.ReadCloser, int64, error) {
	name, err := plainName(href, o.name)
	if err != nil {
		return nil, 0, err
	}
	rc, size, _, err := o.find(ctx, func(n string) bool { return n == name })
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, fmt.Errorf("%s references %s, which the OVA does not hold", o.name, name)
	}
	return rc, size, err
}
