"""The pages people open: one blueprint a module, with their forms and access rules."""
