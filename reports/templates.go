package reports

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strconv"
	"strings"
	"text/template"

	"github.com/redosim/redosim/reports/stats"
)

//go:embed templates/report.md.tmpl templates/report.html.tmpl templates/style.css
var templateFS embed.FS

// templateFuncs are shared by the Markdown and the HTML template.
func templateFuncs(css string) map[string]any {
	return map[string]any{
		// cell escapes a Markdown table cell.
		"cell": func(s string) string {
			s = strings.ReplaceAll(s, "|", `\|`)
			return strings.ReplaceAll(s, "\n", " ")
		},
		"sentence": sentence,
		"plural":   plural,
		"pct": func(conf float64) string {
			return strconv.FormatFloat(conf*100, 'f', -1, 64) + " %"
		},
		"verdictClass": func(v string) string {
			switch v {
			case stats.VerdictBetter:
				return "better"
			case stats.VerdictWorse:
				return "worse"
			case stats.VerdictHigher:
				return "higher"
			case stats.VerdictLower:
				return "lower"
			}
			return "none"
		},
		"css":    func() htmltemplate.CSS { return htmltemplate.CSS(css) },
		"inline": inlineHTML,
	}
}

var (
	codeSpan   = regexp.MustCompile("`([^`]+)`")
	strongSpan = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// inlineHTML renders the little Markdown the verdict uses (`code`,
// **strong**) as HTML, escaping everything else.
func inlineHTML(s string) htmltemplate.HTML {
	e := htmltemplate.HTMLEscapeString(s)
	e = codeSpan.ReplaceAllString(e, "<code>$1</code>")
	e = strongSpan.ReplaceAllString(e, "<strong>$1</strong>")
	return htmltemplate.HTML(e)
}

// renderMarkdown executes report.md.tmpl.
func renderMarkdown(doc *document) ([]byte, error) {
	src, err := templateFS.ReadFile("templates/report.md.tmpl")
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	t, err := template.New("report.md").Funcs(templateFuncs("")).Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("reports: parse report.md template: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, doc); err != nil {
		return nil, fmt.Errorf("reports: render report.md: %w", err)
	}
	return buf.Bytes(), nil
}

// renderHTML executes report.html.tmpl with the embedded style sheet.
func renderHTML(doc *document) ([]byte, error) {
	src, err := templateFS.ReadFile("templates/report.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	css, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	t, err := htmltemplate.New("index.html").Funcs(templateFuncs(string(css))).Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("reports: parse index.html template: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, doc); err != nil {
		return nil, fmt.Errorf("reports: render index.html: %w", err)
	}
	return buf.Bytes(), nil
}
