"""Pure legal rules: values in, values out; no database and no clock. Services and schemas use them."""
