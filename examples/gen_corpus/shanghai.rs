use crate::model::DocModel;
pub fn budget_docs() -> Vec<DocModel> { vec![] }
pub fn perf_docs() -> Vec<DocModel> { vec![] }
