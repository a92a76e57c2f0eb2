package iceberg

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/ccetl/ccetl/pipeline"
)

// RESTOptions are the settings of an Iceberg REST catalog (catalog rest).
type RESTOptions struct {
	// Warehouse is the REST warehouse parameter: a Glue account id, an S3
	// Tables bucket ARN, a Polaris catalog or a Lakekeeper warehouse name.
	Warehouse string
	// Credential is client_id:client_secret for the OAuth2 client
	// credentials grant; Token is a bearer token sent as is.
	Credential pipeline.Secret
	Token      pipeline.Secret
	// OAuth2ServerURI is the token endpoint (empty: the catalog's
	// /v1/oauth/tokens) and Scope the scope asked for (empty: "catalog").
	OAuth2ServerURI string
	Scope           string
	// SigV4 signs every request with the AWS credential chain, for the
	// service SigningName (glue, s3tables) in SigningRegion.
	SigV4         bool
	SigningRegion string
	SigningName   string
	// Prefix is the path after /v1 (empty: what the catalog's config says).
	Prefix string
}

// restOnly are the options that mean something to the REST catalog alone.
var restOnly = []string{"warehouse", "credential", "token", "oauth2_server_uri", "scope", "sigv4", "signing_region", "signing_name", "prefix"}

// parseREST reads the REST catalog's options. With rest false (another
// catalog) any of them is an error; uri is catalog_uri. Messages never
// hold a secret nor the catalog URI, which may carry one.
func parseREST(get func(name, env string) string, rest bool, uri string) (RESTOptions, []error) {
	var errs []error
	if !rest {
		for _, name := range restOnly {
			if get(name, "") != "" {
				errs = append(errs, fmt.Errorf("%s: only for catalog rest", name))
			}
		}
		return RESTOptions{}, errs
	}
	o := RESTOptions{
		Warehouse:       get("warehouse", ""),
		Credential:      pipeline.NewSecret(get("credential", "")),
		Token:           pipeline.NewSecret(get("token", "")),
		OAuth2ServerURI: get("oauth2_server_uri", ""),
		Scope:           get("scope", ""),
		SigningRegion:   get("signing_region", ""),
		SigningName:     get("signing_name", ""),
		Prefix:          strings.Trim(get("prefix", ""), "/"),
	}
	var host string
	if uri == "" {
		errs = append(errs, errors.New("catalog_uri: the rest catalog needs its endpoint, e.g. http://polaris:8181/api/catalog"))
	} else if u, err := url.Parse(uri); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, errors.New("catalog_uri: want an http:// or https:// URL for the rest catalog"))
	} else {
		host = u.Hostname()
	}
	if v := get("sigv4", ""); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("sigv4: want true or false, got %q", v))
		}
		o.SigV4 = b
	}
	if !o.Credential.IsZero() && !o.Token.IsZero() {
		errs = append(errs, errors.New("credential and token: set one, not both"))
	}
	if o.SigV4 && (!o.Credential.IsZero() || !o.Token.IsZero()) {
		errs = append(errs, errors.New("sigv4: signs with the AWS credential chain; it excludes credential and token"))
	}
	if o.Credential.IsZero() {
		if o.OAuth2ServerURI != "" {
			errs = append(errs, errors.New("oauth2_server_uri: only with credential"))
		}
		if o.Scope != "" {
			errs = append(errs, errors.New("scope: only with credential"))
		}
	}
	if o.OAuth2ServerURI != "" {
		if u, err := url.Parse(o.OAuth2ServerURI); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("oauth2_server_uri: want an http:// or https:// URL"))
		}
	}
	if !o.SigV4 {
		if o.SigningRegion != "" || o.SigningName != "" {
			errs = append(errs, errors.New("signing_region and signing_name: only with sigv4: true"))
		}
		return o, errs
	}
	service, region := awsHost(host)
	if o.SigningName == "" {
		o.SigningName = service
	}
	if o.SigningRegion == "" {
		o.SigningRegion = region
	}
	if o.SigningName == "" && host != "" {
		errs = append(errs, errors.New("signing_name: not known from the catalog_uri host; set glue or s3tables"))
	}
	return o, errs
}

// awsHost reads the signing service and region of an AWS endpoint host,
// glue.us-east-1.amazonaws.com or s3tables.us-east-1.amazonaws.com; both
// are empty for another host.
func awsHost(host string) (service, region string) {
	labels := strings.Split(strings.ToLower(host), ".")
	if len(labels) < 4 || labels[len(labels)-2] != "amazonaws" && labels[len(labels)-3] != "amazonaws" {
		return "", ""
	}
	switch labels[0] {
	case "glue", "glue-fips":
		service = "glue"
	case "s3tables", "s3tables-fips":
		service = "s3tables"
	default:
		return "", ""
	}
	return service, labels[1]
}
