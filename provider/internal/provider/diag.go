package provider

import "github.com/hashicorp/terraform-plugin-framework/diag"

type diagError = diag.Diagnostic

func newDiagError(summary, detail string) diag.Diagnostic {
	return diag.NewErrorDiagnostic(summary, detail)
}
