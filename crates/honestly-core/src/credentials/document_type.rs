//! The `documentType` claim: the vault's [`DocumentType`] of the attested document, as a
//! number a circuit can carry. The codes are part of the credential format and never change
//! meaning; a new document type gets the next unused code.

use honestly_zk::Fr;

use crate::documents::model::DocumentType;

/// The code of each document type in the `documentType` claim (0 is never used).
const CODES: [(DocumentType, u64); 5] = [
    (DocumentType::Identity, 1),
    (DocumentType::License, 2),
    (DocumentType::Financial, 3),
    (DocumentType::Credential, 4),
    (DocumentType::Other, 5),
];

/// The `documentType` claim of `kind`.
pub fn document_type_code(kind: DocumentType) -> u64 {
    CODES.iter().find(|(k, _)| *k == kind).map_or(0, |(_, code)| *code)
}

/// The document type whose code is `code`, if any.
pub fn document_type_from_code(code: u64) -> Option<DocumentType> {
    CODES.iter().find(|(_, c)| *c == code).map(|(kind, _)| *kind)
}

/// The `documentType` claim of `kind` as a field element.
pub fn document_type_field(kind: DocumentType) -> Fr {
    Fr::from(document_type_code(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_type_has_its_own_fixed_code() {
        let codes: Vec<u64> = DocumentType::ALL.iter().map(|k| document_type_code(*k)).collect();
        assert_eq!(codes, [1, 2, 3, 4, 5], "the codes are part of the credential format");
        for kind in DocumentType::ALL {
            assert_eq!(document_type_from_code(document_type_code(*kind)), Some(*kind));
        }
        for unknown in [0, 6, 42, u64::MAX] {
            assert_eq!(document_type_from_code(unknown), None);
        }
        assert_eq!(document_type_field(DocumentType::License), Fr::from(2u64));
    }
}
