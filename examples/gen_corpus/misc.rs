use crate::model::DocModel;
pub fn threeline_docs() -> Vec<DocModel> { vec![] }
pub fn prose_doc() -> DocModel { unimplemented!() }
