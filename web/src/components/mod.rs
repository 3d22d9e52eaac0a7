//! The page's components, one per file.

mod annotations_list;
mod app;
mod breakable_code;
mod config_view;
mod copy_button;
mod descriptor_table;
mod diagnostics_list;
mod editor;
mod examples_bar;
mod manifest_view;
mod platform_query;
mod platforms_table;
mod registry_panel;
mod summary;

pub use annotations_list::AnnotationsList;
pub use app::App;
pub use breakable_code::breakable_code;
pub use config_view::ConfigView;
pub use copy_button::CopyButton;
pub use descriptor_table::DescriptorTable;
pub use diagnostics_list::DiagnosticsList;
pub use editor::Editor;
pub use examples_bar::ExamplesBar;
pub use manifest_view::ManifestView;
pub use platform_query::PlatformQueryForm;
pub use platforms_table::PlatformsTable;
pub use registry_panel::RegistryPanel;
pub use summary::Summary;
