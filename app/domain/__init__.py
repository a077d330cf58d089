"""Pure domain rules of the 信用文书服务: identifiers, names, commitments, numbers and masking."""
