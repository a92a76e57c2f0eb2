package push

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ccetl/ccetl/pipeline"
)

// Check reports the first way values break entity's documented rules: a
// missing required field, a value of the wrong type, a string over its
// length or outside its enum. Messages name the field, never its value.
// Fields the entity does not know are an error too: a mapping typo must not
// be dropped silently.
func Check(e pipeline.Entity, values map[string]any) error {
	for name := range values {
		if !slices.ContainsFunc(e.Fields, func(f pipeline.Field) bool { return f.Name == name }) {
			return fmt.Errorf("field %s: %s has no such field", name, e.Name)
		}
	}
	for _, f := range e.Fields {
		v, ok := values[f.Name]
		if !ok || v == nil || v == "" {
			if f.Required {
				return fmt.Errorf("field %s: required", f.Name)
			}
			continue
		}
		if err := checkValue(f, v); err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
	}
	return nil
}

func checkValue(f pipeline.Field, v any) error {
	switch f.Type {
	case pipeline.TypeString:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a string, got %T", v)
		}
		if !utf8.ValidString(s) {
			return fmt.Errorf("not valid UTF-8")
		}
		if f.MaxLen > 0 && utf8.RuneCountInString(s) > f.MaxLen {
			return fmt.Errorf("%d characters, over the maximum of %d", utf8.RuneCountInString(s), f.MaxLen)
		}
		if len(f.Enum) > 0 && !slices.ContainsFunc(f.Enum, func(e string) bool { return strings.EqualFold(e, s) }) {
			return fmt.Errorf("not one of %s", strings.Join(f.Enum, ", "))
		}
	case pipeline.TypeInt:
		if _, ok := v.(int64); !ok {
			return fmt.Errorf("want an integer, got %T", v)
		}
	case pipeline.TypeFloat:
		switch v.(type) {
		case float64, int64:
		default:
			return fmt.Errorf("want a number, got %T", v)
		}
	case pipeline.TypeBool:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("want true or false, got %T", v)
		}
	case pipeline.TypeDate, pipeline.TypeTimestamp:
		if _, ok := v.(time.Time); !ok {
			return fmt.Errorf("want a %s, got %T", f.Type, v)
		}
	case pipeline.TypeList:
		l, ok := v.([]string)
		if !ok {
			return fmt.Errorf("want a list of strings, got %T", v)
		}
		for _, s := range l {
			if f.MaxLen > 0 && utf8.RuneCountInString(s) > f.MaxLen {
				return fmt.Errorf("an item of %d characters, over the maximum of %d", utf8.RuneCountInString(s), f.MaxLen)
			}
		}
	case pipeline.TypeMap:
		if _, ok := v.(map[string]string); !ok {
			return fmt.Errorf("want a map of strings, got %T", v)
		}
	default:
		return fmt.Errorf("unknown field type %q", f.Type)
	}
	return nil
}
